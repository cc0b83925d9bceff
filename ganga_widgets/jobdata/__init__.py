"""A Ganga job as plain data: what every view shows, computed without any view.

- ``codes``: every subjob's status as one character, with counts kept change by change;
- ``read``: a job -> header, times, exit code, stderr tail, detail, failures;
- ``condor_facts``: what HTCondor said, as the views show it;
- ``sources``: what a model reads besides the job (the batch system's monitor, ...);
- ``model``: one job's whole view, updated change by change (``JobModel``);
- ``notices``: what a job's view says is wrong;
- ``statistics``, ``sample``: run statistics, kept up to date one subjob at a time;
- ``query``, ``rows``: the registry as dashboard rows, filtered, sorted and paged.
"""
