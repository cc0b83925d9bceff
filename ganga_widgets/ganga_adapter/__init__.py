"""The Ganga adapter: the only code that imports ``ganga`` / ``GangaCore``.

- ``startup``: Ganga started (or adopted) in this process, made live;
- ``registry``: the jobs registry and Ganga's public interface, Ganga started first;
- ``objects``: proxies, the registry's index, configuration, the monitor;
- ``hook``: the status-change hook that feeds the dispatcher;
- ``guards``, ``condor_guards``: the start-up guards against Ganga's defects (the Condor
  backend's apart);
- ``submission``, ``submission_progress``, ``clones``, ``one_command``: submission made
  cheap, followed, and one command per item for ``submit()``;
- ``kills``: what a kill leaves behind, completed;
- ``resolve``: what a user passes for a job, as a job or a clear error.
"""
