# Jupyter settings `orchlab lab` passes with --config: run-time files stay out of the learner's file
# browser (they are still on disk, and still readable from a notebook).
c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

c.ContentsManager.hide_globs = [
    "__pycache__",
    "*.pyc",
    "*.pyo",
    "*.egg-info",
    ".DS_Store",
    ".ipynb_checkpoints",
    "_lesson_output",
    "*.sqlite",
    "*.sqlite-wal",
    "*.sqlite-shm",
    "*.sqlite-journal",
    "test-artifacts",
    "build",
]

# Every cell attached to the page, not only those in view. Off-screen cells are otherwise laid out
# later (JupyterLab 4.6's default "contentVisibility", Notebook 7's windowing), and a plotly
# FigureWidget first drawn there keeps plotly.js's fallback width of 700 px instead of the notebook's.
# The lessons have about forty cells each, so attaching them all costs little.
_SETTINGS = str(__import__("pathlib").Path(__file__).with_name("jupyter_settings"))
c.LabApp.app_settings_dir = _SETTINGS
c.JupyterNotebookApp.app_settings_dir = _SETTINGS
