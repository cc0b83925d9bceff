"""HTCondor, the batch system, beyond what Ganga knows of it.

- ``bindings``: the Python bindings (version 2 or 1) and whether this kernel can use HTCondor;
- ``schedd``: queries, hold/release, ``condor_q -better-analyze``, ``condor_tail``;
- ``facts``: what HTCondor said of a job (``Facts``), through a table of transitions;
- ``eventlog``: a job's event log followed as it grows, folded into its ``Facts``;
- ``watcher``: one thread that follows every active Condor job's event log (what Ganga
  does about its news is the session's: ``session.condor_news``);
- ``tail``: the live stderr of running jobs, on a thread of its own;
- ``v1_names``: the version-1 names Ganga's Condor backend uses, built on htcondor2.
"""
