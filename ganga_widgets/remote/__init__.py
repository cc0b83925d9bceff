"""``submit(fn, args)``: a Python function run over a list as one Ganga job.

- ``api``: ``submit``, ``attach``, ``Args`` (the checks before anything is submitted);
- ``run``: ``Run``, ``RemoteError`` (waiting, results, the widget);
- ``staging``: the function and items serialised into the job's workspace;
- ``worker``: what runs on the batch node, stand-alone;
- ``names``: every file name the three share.
"""
