import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # Ganga jobs in marimo

        `submit()` runs a Python function over a list as one Ganga job on the **Local**
        backend (your own machine, no batch system needed), a subjob per item. Its view updates
        by itself, whether marimo is idle or running another cell.

        Move the slider: the cell below runs again, as marimo does, with a new job. The old
        job's view is closed with it; the old job itself goes on, and the table at the end
        shows every job.
        """
    )
    return (mo,)


@app.cell
def _():
    import ganga_widgets
    from ganga_widgets import JobTable, submit

    session = ganga_widgets.start()  # Ganga inside this kernel; jobs go to session.gangadir
    return JobTable, submit


@app.cell
def _(mo):
    items = mo.ui.slider(4, 24, value=8, label="items")
    items
    return (items,)


@app.cell
def _(items, submit):
    def simulate(seed):
        import random
        import time

        random.seed(seed)
        time.sleep(random.uniform(1, 4))
        return sum(random.random() for _ in range(100_000))

    run = submit(simulate, list(range(items.value)), backend="Local", name="marimo")
    run
    return (run,)


@app.cell
def _(mo):
    fetch = mo.ui.run_button(label="Collect the results")
    fetch
    return (fetch,)


@app.cell
def _(fetch, mo, run):
    mo.stop(not fetch.value, mo.md("Click *Collect the results* once the job has ended."))
    results = run.results()  # waits for the job; a remote exception comes with its traceback
    mo.md(f"{len(results)} results, mean {sum(results) / len(results):,.1f}")
    return


@app.cell
def _(JobTable):
    JobTable()
    return


if __name__ == "__main__":
    app.run()
