# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Models
#
# A model is a layer made of layers. It has everything a layer has (weights, a call, a config)
# and a few things more: it knows its layers by name, it prints a summary table, it draws
# itself, and, from the next chapter on, it trains. Keras offers three ways to write one, and
# this chapter builds the same small network in all three, then looks inside each: how a
# `Sequential` model infers its shapes, how a functional model records a graph and runs it in
# topological order, and what a subclassed model tracks.
#
# Every summary printed here is compared with the text real Keras 3.15 prints for the same
# model, character for character, and every output with Keras' output for Keras' weights
# (`tests/reference/models.json`, made by `make reference` from
# `tools/reference/_model_zoo.py`, the same builders this chapter's checks call).

# %%
import json
import os
import tempfile
import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image

import nbkeras as keras
from nbkeras import layers
from nbkeras.utils import load_reference, show_source
from nbkeras.utils.keras_reference import assert_matches_keras, reference_dir

np.set_printoptions(precision=4, suppress=True)
keras.utils.set_random_seed(0)
reference = {case.id: case for case in load_reference("models")}
pictures = tempfile.mkdtemp()  # plot_model's files go here, not into the book's folder


def captured_summary(model, **options):
    """The summary as one string, as ``print_fn`` receives it."""
    lines = []
    model.summary(print_fn=lines.append, **options)
    return lines[0]


def check_summary(model, case_id, index=0):
    """Assert that ``model``'s summary is the text Keras printed for the same model."""
    options = reference[case_id]["summaries"][index]
    assert captured_summary(model, **options) == reference[case_id]["summary"][index]
    return "summary identical to Keras'"


# %% [markdown]
# ## Three ways to build one network
#
# The seeds build a network with three inputs, a hidden layer of 3 ReLU units, one of 2 ReLU
# units and an output of 2 sigmoid units, every kernel drawn by `he_normal`, in three ways.
# The first is `Sequential`: a list of layers, each fed by the previous one. The seed, written
# for Keras 2, gives the first layer `input_shape=(3,)`; Keras 3 still accepts it, and warns
# that an `Input` should come first instead:

# %%
keras.backend.clear_session()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sequential = keras.Sequential(
        [
            layers.Dense(3, activation="relu", kernel_initializer="he_normal", name="layer1",
                         input_shape=(3,)),
            layers.Dense(2, activation="relu", kernel_initializer="he_normal", name="layer2"),
            layers.Dense(2, activation="sigmoid", kernel_initializer="he_normal",
                         name="layer3"),
        ],
        name="my_Seq",
    )
print(textwrap.fill(f"{caught[0].category.__name__}: {caught[0].message}", 76))
sequential.summary()
check_summary(sequential, "seed_sequential")

# %% [markdown]
# The table is Keras': one row per layer with its output shape (None is the batch size, not
# known until data arrives) and its parameter count: layer1 has a 3 x 3 kernel and 3 biases,
# 12 numbers; layer2 3 x 2 + 2 = 8; layer3 2 x 2 + 2 = 6. The totals count 4 bytes per
# float32. Like Keras, nbkeras draws the table with the `rich` library, so in a terminal it is
# coloured, in a notebook it is shown as HTML, and with `print_fn` the plain text is handed
# over in one string.
#
# The second way is the functional API: call layers on the symbolic tensor `keras.Input`
# returns, and give `keras.Model` the input and the output. The seed writes `Dense(2)` for
# `layer1` in this version (its table would show 8 + 6 + 6 = 20 parameters); to build the
# same network as the other two, layer1 has 3 units here:

# %%
keras.backend.clear_session()
inputs = keras.Input(shape=(3,), name="my_input")
x = layers.Dense(3, activation="relu", kernel_initializer="he_normal", name="layer1")(inputs)
x = layers.Dense(2, activation="relu", kernel_initializer="he_normal", name="layer2")(x)
outputs = layers.Dense(2, activation="sigmoid", kernel_initializer="he_normal",
                       name="layer3")(x)
functional = keras.Model(inputs=inputs, outputs=outputs, name="my_model")
print(type(functional).__name__, inputs)
functional.summary()
check_summary(functional, "seed_functional")

# %% [markdown]
# `keras.Model(inputs, outputs)` returns a `Functional` model, and its first row is the
# `InputLayer` behind `keras.Input` (a Sequential model keeps its InputLayer out of `layers`
# and out of the table).
#
# The third way subclasses `keras.Model`: the layers are attributes set in `__init__`, and
# `call` says what to do with them. Nothing is known about the input until the first call, so
# before it the summary has no shapes and no parameters, exactly as Keras prints it:

# %%
keras.backend.clear_session()


class MyModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.layer1 = keras.layers.Dense(3, activation="relu", kernel_initializer="he_normal",
                                         name="layer1")
        self.layer2 = keras.layers.Dense(2, activation="relu", kernel_initializer="he_normal",
                                         name="layer2")
        self.layer3 = keras.layers.Dense(2, activation="sigmoid",
                                         kernel_initializer="he_normal", name="layer3")

    def call(self, inputs):
        x = self.layer1(inputs)
        x = self.layer2(x)
        x = self.layer3(x)
        return x


subclassed = MyModel()
print(subclassed.name, subclassed.built, [layer.name for layer in subclassed.layers])
subclassed.summary()
assert captured_summary(subclassed) == reference["seed_subclassed"]["summary_before_build"]

# %% [markdown]
# The seed calls the model once on `tf.ones((1, 3))`; the layers build, and the table shows the
# shapes of that call, batch size 1 included (the layers never saw a symbolic input):

# %%
y = subclassed(np.ones((1, 3), np.float32))
subclassed.summary()
check_summary(subclassed, "seed_subclassed")

# %% [markdown]
# Three models, one network: given the same weights they compute the same function, bit for
# bit, because each runs the same three Dense kernels in the same order.

# %%
weights = sequential.get_weights()
functional.set_weights(weights)
subclassed.set_weights(weights)
batch = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
outputs = [m(batch).numpy() for m in (sequential, functional, subclassed)]
print(outputs[0])
print("identical:", all(np.array_equal(outputs[0], o) for o in outputs[1:]))

# %% [markdown]
# `keras.utils.plot_model` draws each one. A Sequential model's picture has no InputLayer box
# (it keeps its InputLayer out of `layers`); a subclassed model is one box, because its
# `call` is Python code, not a recorded graph (Keras draws it the same way):

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 4.2))
for axis, (title, model) in zip(axes, [("Sequential", sequential), ("functional", functional),
                                        ("subclassed", subclassed)], strict=True):
    path = os.path.join(pictures, f"{title}.png")
    keras.utils.plot_model(model, to_file=path, show_shapes=True, show_layer_names=True,
                           dpi=96)
    axis.imshow(plt.imread(path))
    axis.set_title(title)
    axis.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Sequential: shapes inferred layer by layer
#
# A Sequential model with an `Input` first (or a first layer given `input_shape`) is built
# as layers are added: each `add` calls the new layer on the previous output, a symbolic
# tensor, so the layer creates its weights and reports its output shape without computing
# anything. These are the seed's shape examples:

# %%
model = keras.Sequential()
model.add(keras.Input(shape=(16,)))
model.add(layers.Dense(32, activation="relu"))
model.add(layers.Dense(32))
print("Dense(32) after Input(16):", model.output_shape)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Keras 2's input_shape, as in the seed
    model = keras.Sequential()
    model.add(layers.Reshape((3, 4), input_shape=(12,)))
    print("Reshape((3, 4)) on (12,):", model.output_shape)

    model = keras.Sequential()
    model.add(layers.Conv2D(64, 3, 3, input_shape=(3, 32, 32)))
    print("Conv2D(64, 3, 3) on (3, 32, 32):", model.output_shape)
    model.add(layers.Flatten())
    print("then Flatten:", model.output_shape)
for case_id in ["seed_dense_shapes", "seed_reshape_shapes", "seed_conv_flatten"]:
    print(case_id, "Keras:", tuple(reference[case_id]["output_shape"]))

# %% [markdown]
# The Conv2D line is worth reading slowly. `Conv2D(64, 3, 3)` is 64 filters, a 3 x 3 kernel
# and *strides* 3 (the third positional argument), and `input_shape=(3, 32, 32)` is read
# channels last: height 3, width 32, 32 channels. The output height is
# $\lfloor (3 - 3) / 3 \rfloor + 1 = 1$ and the width $\lfloor (32 - 3) / 3 \rfloor + 1 = 10$, so
# the output is (None, 1, 10, 64) and Flatten makes 640 features. (The seed meant 3 channels of
# 32 x 32, which would be `data_format="channels_first"`.)
#
# Without an input shape the model waits: `add` only stacks the layers, and the first call,
# `build(input_shape)` or (next chapter) `fit` builds them. Built by a call, the model records
# the batch size of that call, as Keras does:

# %%
keras.backend.clear_session()
lazy = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)])
print("built:", lazy.built, "weights:", lazy.weights)
lazy(np.zeros((2, 5), np.float32))
lazy.summary()
check_summary(lazy, "built_by_call")

# %% [markdown]
# Here is what `build` does: put an `InputLayer` of the given shape first, call each layer on
# the previous symbolic output, and keep the functional model that results; a call of the
# Sequential model runs that graph.

# %%
show_source(keras.Sequential.build)

# %% [markdown]
# ### The seeds' regularised model
#
# Regularizers and constraints are part of the layers (chapter 8), not of the table: the
# seed's model counts 64 x 64 + 64 = 4,160 and 64 x 10 + 10 = 650 parameters. The seed
# compiles it before printing the summary; compiling adds nothing to the table.

# %%
keras.backend.clear_session()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # input_dim, as the seed writes it
    model = keras.models.Sequential()
    model.add(layers.Dense(64, input_dim=64,
                           kernel_regularizer=keras.regularizers.l2(0.01),
                           activity_regularizer=keras.regularizers.l1(0.01),
                           kernel_constraint=keras.constraints.MaxNorm(max_value=2, axis=0)))
    model.add(layers.Dense(10, kernel_regularizer=keras.regularizers.l1_l2(0.01, 0.01),
                           activation="sigmoid"))
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["AUC"])
model.summary()
check_summary(model, "seed_regularized")

# %% [markdown]
# The seed printed this table with Keras 2, in its older layout (dashes and `=` rules, and
# `Total params: 4,810` without the memory). The rows and counts are the same. What Keras 3
# adds is the memory of the parameters: 4,810 float32 numbers take 18.79 KB.
#
# The seed's other two models, from its API tour:

# %%
keras.backend.clear_session()
inputs = keras.Input(shape=(3,))
x = layers.Dense(4, activation="relu")(inputs)
outputs = layers.Dense(5, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.summary()
check_summary(model, "seed_api_functional")

keras.backend.clear_session()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model = keras.Sequential()
    model.add(layers.Dense(8, input_shape=(32,)))  # the same as Input(shape=(32,)) + Dense(8)
    model.add(layers.Dense(4))
model.summary()
check_summary(model, "seed_api_sequential")

# %% [markdown]
# ## Functional models: a graph, run in topological order
#
# A functional model can do what a stack cannot: take several inputs, give several outputs,
# and use a layer twice. Here a support-ticket router reads a title and a body, encodes both
# with *one* Dense layer (the same weights for both), and predicts a priority (from both,
# concatenated) and a department (from their sum):

# %%
keras.backend.clear_session()
title = keras.Input(shape=(6,), name="title")
body = keras.Input(shape=(6,), name="body")
shared = layers.Dense(4, activation="tanh", name="shared_encoder")
encoded_title = shared(title)
encoded_body = shared(body)
merged = layers.Concatenate(name="merge")([encoded_title, encoded_body])
hidden = layers.Dense(5, activation="relu", name="hidden")(merged)
priority = layers.Dense(1, activation="sigmoid", name="priority")(hidden)
department = layers.Dense(3, activation="softmax", name="department")(
    layers.Add(name="sum_branches")([encoded_title, encoded_body]))
router = keras.Model(inputs=[title, body], outputs=[priority, department],
                     name="ticket_router")
router.summary()
check_summary(router, "two_heads_shared")

# %% [markdown]
# The graph branches, so the table gains a `Connected to` column: `shared_encoder[1][0]` is
# output 0 of the *second* call (node 1) of `shared_encoder`. The shared layer has 28
# parameters, counted once, although it runs twice.
#
# `plot_model` draws the graph. Keras needs pydot and a Graphviz binary for this; nbkeras lays
# the graph out itself and draws it with matplotlib, so it works on any machine. Inputs come
# first, every layer sits below everything it reads, and the shared layer is one box with two
# arrows in:

# %%
path = os.path.join(pictures, "ticket_router.png")
keras.utils.plot_model(router, to_file=path, show_shapes=True, show_layer_names=True, dpi=100)
Image(path)

# %% [markdown]
# ### How the graph is recorded and run
#
# No graph is built by `keras.Model`: the layer calls on symbolic tensors built it. Each call
# on KerasTensors records a `Node` (the layer, the arguments, the outputs), and each output
# remembers its node in `_keras_history` as (layer, node index, tensor index):

# %%
print(encoded_body._keras_history)
print([node.operation.name for node in shared._inbound_nodes[1].parent_nodes])

# %% [markdown]
# `keras.Model` walks those records back from the outputs and sorts the nodes by depth: an
# output's node has depth 0, and every node is one deeper than the deepest node that reads its
# outputs. Running the nodes from the deepest to depth 0 computes every tensor before anyone
# needs it: a topological order. The layers come out in the same order (deepest first, ties
# in the order the walk met them), and that is Keras' `model.layers` order.

# %%
show_source(keras.models.graph.map_graph)

# %%
for depth in sorted(router._graph.nodes_by_depth, reverse=True):
    names = sorted(node.operation.name for node in router._graph.nodes_by_depth[depth])
    print(depth, names)
print([layer.name for layer in router.layers])
print("Keras:", reference["two_heads_shared"]["layer_names"])

# %% [markdown]
# The shared layer's two nodes have the same depth (3), because a layer's depth is that of its
# deepest call. The graph also keeps its nodes in that running order (`run_order`), worked out
# once. A call of the model then fills a table from tensor to value, node by node; a node that
# calls its layer on one tensor, the usual case, is called without rebuilding its arguments:

# %%
show_source(keras.models.Functional._run_through_graph)

# %% [markdown]
# Calling the router on Keras' weights gives Keras' outputs. The inputs go as a list in the
# order of `inputs`, or as a dict keyed by the Input names:

# %%
case = reference["two_heads_shared"]
router.set_weights([case.array(f"w/{i}") for i in range(len(router.weights))])
title_batch, body_batch = case.array("x/0"), case.array("x/1")
priority_out, department_out = router([title_batch, body_batch])
assert_matches_keras(priority_out, case.array("y/0"), 1e-5, "priority")
assert_matches_keras(department_out, case.array("y/1"), 1e-5, "department")
by_name = router({"body": body_batch, "title": title_batch})
print(department_out.numpy())
print("same from a dict:", np.array_equal(by_name[1].numpy(), department_out.numpy()))

# %% [markdown]
# ### Models inside models
#
# A model is a layer, so it can be called inside another graph, where it is one node; its
# weights are the outer model's too. `expand_nested=True` lists (and draws) its layers:

# %%
keras.backend.clear_session()
inner_in = keras.Input(shape=(4,), name="inner_in")
inner_out = layers.Dense(2, activation="relu", name="inner_dense")(
    layers.Dense(3, name="inner_hidden")(inner_in))
inner = keras.Model(inner_in, inner_out, name="inner")
x = keras.Input(shape=(5,), name="x")
outer = keras.Model(x, layers.Dense(1, name="post")(inner(layers.Dense(4, name="pre")(x))),
                    name="outer")
outer.summary(expand_nested=True)
check_summary(outer, "nested_functional", index=1)
print(len(outer.weights), "weights, of which", len(inner.weights), "are the inner model's")

# %%
path = os.path.join(pictures, "outer.png")
keras.utils.plot_model(outer, to_file=path, expand_nested=True, show_layer_names=True, dpi=100)
Image(path)

# %% [markdown]
# ### Ops as steps of the graph
#
# The graph is not only layers. Keras 3 lets a functional model call any `keras.ops` function,
# or an operator (`+`, `*`, `x[:, :3]`, `!=`), on KerasTensors. Each such call becomes a step
# of its own, an `Operation`: an object of Keras' class for that op (`Relu`, `Multiply`,
# `GetItem`), with its options (an axis, a shape) in its config. The steps have no weights, so
# `model.layers` leaves them out; `model.operations` and the summary list them with the layers:

# %%
keras.backend.clear_session()
x = keras.Input(shape=(4,), name="x")
h = layers.Dense(3, name="dense")(x)
y = (keras.ops.relu(h) * 2.0 + x[:, :3]) / 3.0 - abs(-h) ** 2
flags = x != 0.5
steps = keras.Model(x, [y, flags], name="arithmetic")
ops_reference = {case.id: case for case in load_reference("functional_ops")}
case = ops_reference["arithmetic"]
steps.summary()
assert captured_summary(steps) == case["summary"]
print("layers:    ", [layer.name for layer in steps.layers])
print("operations:", [op.name for op in steps.operations])
print("Keras:     ", case["operations"])

# %% [markdown]
# A step runs its op on the values when the model runs, so the Keras weights give Keras'
# outputs, the bool one included. The config names each step's class where Keras keeps it
# (`keras.src.ops.numpy`), which is how Keras finds it again when it loads the file:

# %%
steps.set_weights([case.array("w0"), case.array("w1")])
values, flags_out = steps.predict(case.array("x0"), verbose=0)
assert_matches_keras(values, case.array("y0"), 1e-5, "arithmetic")
assert np.array_equal(flags_out, case.array("y1")) and flags_out.dtype == bool
assert json.loads(json.dumps(steps.get_config())) == case["config"]
print(json.dumps(steps.get_config()["layers"][2:5], indent=None)[:420], "...")

# %% [markdown]
# Called on KerasTensors, an op has no numbers to compute with, only shapes, and still must
# say what shape and dtype its output has. Keras writes that rule by hand for every op (its
# `compute_output_spec`). nbkeras runs the op itself instead, twice, on small arrays that stand
# in for the inputs, with every unknown size set to 5 and then to 7: a size of the output that
# changes between the two runs is unknown (None) too. `reshape(x, (-1, 3))` of a
# `(None, None, 3)` input gives `(25, 3)` and `(49, 3)`, so `(None, 3)`:

# %%
show_source(keras.Operation.compute_output_spec)

# %%
sequence = keras.Input(shape=(None, 3))
for text, tensor in [("reshape(x, (-1, 3))", keras.ops.reshape(sequence, (-1, 3))),
                     ("sum(x, axis=1)", keras.ops.sum(sequence, axis=1)),
                     ("concatenate([x, x], axis=1)",
                      keras.ops.concatenate([sequence, sequence], axis=1)),
                     ("x[:, 0] > 1", sequence[:, 0] > 1)]:
    print(f"{text:28} {str(tensor.shape):16} {tensor.dtype}")

# %% [markdown]
# A graph gains such a step without any op being written, too: a masked `Embedding`. Its mask
# (`inputs != 0`, chapter 7) is computed on the KerasTensors like any op, so it becomes a
# `NotEqual` step, and the LSTM's recorded call takes that step's output as `mask`. Keras does
# the same, and its saved file of this model holds the step; the file loads here and predicts
# what Keras predicted, and the same model built here has Keras' summary:

# %%
case = ops_reference["masked_text"]
masked = keras.models.load_model(reference_dir() / "functional_ops" / case["file"])
print([op.name for op in masked.operations])
lstm_call = [entry for entry in masked.get_config()["layers"] if entry["name"] == "lstm"][0]
print("the LSTM's mask:", lstm_call["inbound_nodes"][0]["kwargs"]["mask"]["config"])
assert_matches_keras(masked.predict(case.array("x0"), verbose=0), case.array("y0"), 1e-5,
                     "masked text model")

keras.backend.clear_session()
tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
encoded = layers.LSTM(3, name="lstm")(layers.Embedding(6, 4, mask_zero=True,
                                                       name="embedding")(tokens))
built_here = keras.Model(tokens, layers.Dense(2, name="dense")(encoded))
built_here.summary()
assert captured_summary(built_here) == case["summary"]
assert json.loads(json.dumps(built_here.get_config())) == case["config"]

# %% [markdown]
# ## Subclassed models: what is tracked
#
# A subclassed model finds its layers by watching attribute assignment: a layer assigned to
# `self` (also inside a list or a dict) becomes one of its layers, and its weights the model's.
# The `training` argument of `call` reaches every layer called inside it, so Dropout and
# BatchNormalization behave as they should in training and in inference without being told
# individually. This is the seed's model with Dropout only when training:

# %%
keras.backend.clear_session()


class MyModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense1 = keras.layers.Dense(4, activation="relu")
        self.dense2 = keras.layers.Dense(5, activation="softmax")
        self.dropout = keras.layers.Dropout(0.5)

    def call(self, inputs, training=False):
        x = self.dense1(inputs)
        if training:
            x = self.dropout(x, training=training)
        return self.dense2(x)


model = MyModel()
data = np.random.default_rng(0).random((8, 32)).astype(np.float32)
inference = model(data).numpy()
print("inference is deterministic:", np.array_equal(model(data).numpy(), inference))
print("training differs:", not np.array_equal(model(data, training=True).numpy(), inference))
print([layer.name for layer in model.layers], len(model.weights))

# %% [markdown]
# (The seed also compiles and fits this model; [the next chapter](12_training.ipynb) does.)
# Layers in containers, and BatchNormalization following the flag: in training its moving
# statistics move, in inference they do not. These moving means are compared with Keras' after
# one training call from the same weights:

# %%
keras.backend.clear_session()


class Tower(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.blocks = [keras.layers.Dense(6, activation="relu"),
                       keras.layers.Dense(6, activation="relu")]
        self.heads = {"score": keras.layers.Dense(1), "norm": keras.layers.BatchNormalization()}
        self.dropout = keras.layers.Dropout(0.5)

    def call(self, inputs, training=None):
        x = inputs
        for block in self.blocks:
            x = block(x)
        x = self.heads["norm"](x, training=training)
        x = self.dropout(x, training=training)
        return self.heads["score"](x)


tower = Tower(name="tower")
case = reference["subclassed_containers"]
tower(case.array("x/0"))
tower.set_weights([case.array(f"w/{i}") for i in range(len(tower.weights))])
assert_matches_keras(tower(case.array("x/0")), case.array("y/0"), 1e-5, "tower")
tower(case.array("x/0"), training=True)
moving_mean = tower.heads["norm"].moving_mean.numpy()
assert_matches_keras(moving_mean, case.array("after_training/8"), 1e-5, "moving mean")
print("moving mean after one training call:", moving_mean)
tower.summary()
check_summary(tower, "subclassed_containers")

# %% [markdown]
# The Dropout row keeps `?`: Dropout has no weights, is built from the start, and, called
# inside a subclassed model, never records a shape. Keras prints the same.
#
# ## Freezing
#
# `trainable = False` on a layer (or a whole model) moves its weights from `trainable_weights`
# to `non_trainable_weights`: the optimizer will leave them alone, and the totals say so. A
# Sequential model inside a Sequential model, with the first layer frozen:

# %%
keras.backend.clear_session()
block = keras.Sequential([layers.Dense(6, activation="relu"), layers.Dense(3)], name="block")
stack = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(5), block,
                          layers.Dense(2, activation="softmax")], name="stack")
stack.layers[0].trainable = False
stack.summary(expand_nested=True, show_trainable=True)
check_summary(stack, "nested_sequential", index=1)

# %% [markdown]
# ## Configs: the architecture as data
#
# `get_config()` describes a model with Keras' keys: for a functional model every layer's
# config, each with the calls it took part in (`inbound_nodes`, tensors named by
# `[layer, node, tensor]`), and which tensors are the model's inputs and outputs. The saving
# chapter writes it into `.keras` files; here it is equal to the config real Keras writes for
# the same model:

# %%
config = router.get_config()
print(list(config), config["input_layers"], config["output_layers"])
merge_entry = next(layer for layer in config["layers"] if layer["name"] == "merge")
print([arg["config"]["keras_history"] for arg in merge_entry["inbound_nodes"][0]["args"][0]])

assert json.loads(json.dumps(config)) == reference["two_heads_shared"]["config"]
print("config identical to Keras'")

# %% [markdown]
# `from_config` replays those calls to rebuild the graph; `clone_model` does the same with
# new layers; `to_json` and `model_from_json` carry the config as text. Each gives the same
# architecture with new weights, so after copying the weights the outputs agree to the bit:

# %%
copies = {
    "from_config": keras.Model.from_config(router.get_config()),
    "clone_model": keras.models.clone_model(router),
    "model_from_json": keras.models.model_from_json(router.to_json()),
}
for how, copy in copies.items():
    copy.set_weights(router.get_weights())
    same = all(np.array_equal(a.numpy(), b.numpy()) for a, b in
               zip(copy([title_batch, body_batch]), router([title_batch, body_batch]),
                   strict=True))
    print(f"{how:16s} {type(copy).__name__:10s} {copy.count_params()} parameters, same: {same}")

# %% [markdown]
# A layer class of your own is found again through `custom_objects`, a
# `custom_object_scope`, or `@keras.saving.register_keras_serializable()`; the saving chapter
# uses all three.
#
# ## When something is wrong
#
# Mistakes are caught when the model is made or called, with a message that says what to do:

# %%
keras.backend.clear_session()
x = keras.Input(shape=(3,), name="x")
stray = keras.Input(shape=(2,), name="stray")
attempts = {
    "an output that ignores the inputs": lambda: keras.Model(x, stray),
    "a layer fed by an Input not in inputs":
        lambda: keras.Model(x, layers.Dense(1)(layers.Concatenate()([x, stray]))),
    "two layers with one name": lambda: keras.Model(
        x, layers.Dense(2, name="same")(layers.Dense(2, name="same")(x))),
}
for what, attempt in attempts.items():
    try:
        attempt()
    except ValueError as error:
        print(f"{what}:")
        print(textwrap.fill(f"ValueError: {error}", 76, initial_indent="  ",
                            subsequent_indent="    "))

# %%
model = keras.Model(x, layers.Dense(2, name="out")(x))
attempts = {
    "the wrong feature size": lambda: model(np.ones((4, 5), np.float32)),
    "two inputs for one": lambda: model([np.ones((4, 3), np.float32)] * 2),
    "too few weights": lambda: model.set_weights([np.ones((3, 2))]),
    "a weight of the wrong shape": lambda: model.set_weights([np.ones((3, 3)), np.ones(2)]),
}
for what, attempt in attempts.items():
    try:
        attempt()
    except ValueError as error:
        print(f"{what}:")
        print(textwrap.fill(f"ValueError: {error}", 76, initial_indent="  ",
                            subsequent_indent="    "))

# %% [markdown]
# Keras says `Output with path `` is not connected to `inputs`` for the first mistake; nbkeras
# names the tensor. The rest follows Keras' rules with messages that name the Input, the weight
# and both shapes.
#
# Finally, the automatic names: every `Dense` is `dense`, `dense_1`, ... in the order they are
# made, and `keras.backend.clear_session()` starts the count again, which is why this chapter
# calls it before each model whose names it compares with Keras'.

# %%
keras.backend.clear_session()
print([layers.Dense(1).name for _ in range(3)], keras.Sequential().name,
      keras.Sequential().name)
keras.backend.clear_session()
print(layers.Dense(1).name)
