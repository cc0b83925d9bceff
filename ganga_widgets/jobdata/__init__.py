"""A Ganga job as plain data: what every view shows, computed without any view.

- ``status``: the one status vocabulary (statuses, order, codes, sets, shown status);
- ``codes``: every subjob's status as one character, with counts kept change by change;
- ``read``: a job -> header, times, exit code, stderr tail, detail, failures;
- ``condor_facts``: what HTCondor said, as the views show it;
- ``model``: one job's whole view, updated change by change (``JobModel``);
- ``query``, ``rows``: the registry as dashboard rows, filtered, sorted and paged;
- ``logs``: bounded reads of job files, as clean text.
"""
