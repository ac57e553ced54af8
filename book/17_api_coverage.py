# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Appendix: what nbkeras covers of Keras
#
# `import nbkeras as keras` runs a Keras program unchanged when every name the program uses
# exists in nbkeras. This appendix lists, module by module, every public name of Keras 3.15's
# `keras.layers`, `losses`, `metrics`, `optimizers`, `optimizers.schedules`, `activations`,
# `initializers`, `regularizers`, `constraints`, `callbacks`, `models`, `saving`, `ops`, `utils`
# and `backend`, whether nbkeras has it, and the chapter that derives it.
#
# Nothing here is typed by hand. The names come from real Keras: `make reference` records what
# `dir(keras.layers)` and the others show (`tests/reference/api_names.json`, from
# `tools/reference/api_names.py`; submodules such as `keras.ops.nn` are left out, their names
# being in `keras.ops` too). Each name's status is in `tests/api_coverage.toml`, which
# `tests/test_api_coverage.py` checks against the package: the test fails when nbkeras gains or
# loses a Keras name and the file does not say so, when a chapter listed never mentions the name,
# or when nbkeras has a function where Keras has a class. `tools/api_coverage.py` rewrites the
# file after such a change, keeping the chapters chosen before.
#
# "Present" means the name exists with Keras' signature; each chapter states where nbkeras'
# behaviour differs from Keras 3 (mostly where it keeps a Keras 2 idiom the seeds use). A name
# present with no chapter is there for completeness (an alias such as `MaxPool2D`, a base class,
# a registry helper) and is not derived in the book.

# %% tags=["hide-input"]
import collections
import html
import json
import pathlib

from IPython.display import HTML

from nbkeras.utils.api_coverage import api_coverage, coverage_summary

rows = api_coverage()
by_module = collections.defaultdict(list)
for row in rows:
    by_module[row.module].append(row)


def chapter_title(stem):
    """'7 Layers' for 07_layers: the chapter's number and its first heading."""
    cells = json.loads(pathlib.Path(f"{stem}.ipynb").read_text())["cells"]
    heading = next(line for c in cells if c["cell_type"] == "markdown"
                   for line in "".join(c["source"]).splitlines() if line.startswith("# "))
    return f"{int(stem[:2])} {heading[2:]}"


titles = {stem: chapter_title(stem) for stem in sorted({r.chapter for r in rows if r.chapter})}


def module_table(module):
    """One module's names as an HTML table: name, kind, present, chapter (a link)."""
    lines = ['<table class="api-coverage">',
             "<thead><tr><th>name</th><th>kind</th><th>nbkeras</th><th>chapter</th></tr></thead>",
             "<tbody>"]
    for row in by_module[module]:
        chapter = (f'<a href="{row.chapter}.html">{html.escape(titles[row.chapter])}</a>'
                   if row.chapter else "")
        status = "yes" if row.present else "not yet"
        lines.append(f'<tr class="{"present" if row.present else "missing"}">'
                     f"<td><code>{html.escape(row.name)}</code></td><td>{row.kind}</td>"
                     f"<td>{status}</td><td>{chapter}</td></tr>")
    lines.append("</tbody></table>")
    return HTML("\n".join(lines))


print(coverage_summary())

# %% [markdown]
# ## By module
#
# How many of each module's names nbkeras has, and how many a chapter derives:

# %% tags=["hide-input"]
summary = ['<table class="api-coverage">',
           "<thead><tr><th>module</th><th>Keras names</th><th>in nbkeras</th>"
           "<th>derived in a chapter</th></tr></thead>", "<tbody>"]
for module, module_rows in by_module.items():
    present = sum(r.present for r in module_rows)
    derived = sum(bool(r.chapter) for r in module_rows)
    summary.append(f"<tr><td><code>keras.{module}</code></td><td>{len(module_rows)}</td>"
                   f"<td>{present} ({present / len(module_rows):.0%})</td><td>{derived}</td></tr>")
summary.append("</tbody></table>")
HTML("\n".join(summary))

# %% [markdown]
# Schedules, activations, regularizers and constraints are complete. The layers not yet there
# are mostly image augmentation, text and audio preprocessing, and wrappers of other backends
# (JAX, Flax, PyTorch, TensorFlow SavedModel); the metrics, the probabilistic (cross-entropy as a
# metric), IoU, correlation and "at recall" families. `keras.ops` is the
# largest gap by count: nbkeras implements the ops its layers, losses and optimizers are written
# against, not all of NumPy's API that Keras mirrors. `callbacks` grows with the callbacks
# chapter, `saving` with the saving chapter.
#
# ## keras.layers

# %%
module_table("layers")

# %% [markdown]
# ## keras.losses

# %%
module_table("losses")

# %% [markdown]
# ## keras.metrics

# %%
module_table("metrics")

# %% [markdown]
# ## keras.optimizers

# %%
module_table("optimizers")

# %% [markdown]
# ## keras.optimizers.schedules

# %%
module_table("optimizers.schedules")

# %% [markdown]
# ## keras.activations

# %%
module_table("activations")

# %% [markdown]
# ## keras.initializers

# %%
module_table("initializers")

# %% [markdown]
# ## keras.regularizers

# %%
module_table("regularizers")

# %% [markdown]
# ## keras.constraints

# %%
module_table("constraints")

# %% [markdown]
# ## keras.callbacks

# %%
module_table("callbacks")

# %% [markdown]
# ## keras.models

# %%
module_table("models")

# %% [markdown]
# ## keras.saving

# %%
module_table("saving")

# %% [markdown]
# ## keras.ops

# %%
module_table("ops")

# %% [markdown]
# ## keras.utils

# %%
module_table("utils")

# %% [markdown]
# ## keras.backend

# %%
module_table("backend")
