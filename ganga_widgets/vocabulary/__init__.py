"""The ground floor: words every other package may use, and nothing that runs a job.

- ``status``: the one status vocabulary (statuses, order, codes, sets, shown status);
- ``logs``: bounded reads of job files, as clean text;
- ``protocols``: the shape of the Ganga objects the package reads (for the type checker);
- ``files``: names of the files jobs write that the views read.

Nothing here imports another package of ganga_widgets, Ganga or HTCondor.
"""
