"""The models whose summaries, configs and outputs are frozen from real Keras (family "models").

Each builder takes the ``keras`` module to build with: tools/reference/models.py passes real
Keras, tests/test_models.py passes nbkeras, so both sides build the model from the same source.
A builder uses only the public API both share (``keras.Sequential``, ``keras.Model``,
``keras.Input``, ``keras.layers``, ``keras.regularizers``, ``keras.constraints``) and starts
with ``keras.backend.clear_session()``, so that automatic names (``dense``, ``dense_1``, ...)
come out the same on both sides.

``MODELS`` maps a case name to ``(builder, input shapes, summaries)``: the inputs are random
arrays of those shapes (a dict of shapes for dict inputs), and ``summaries`` lists the
``summary()`` keyword arguments whose text is recorded (``{}`` = the defaults).
"""


def seed_sequential(keras):
    """Seed 001: the 3 -> 3 -> 2 -> 2 network as a Sequential model (Keras 2's input_shape)."""
    keras.backend.clear_session()
    layers = keras.layers
    return keras.Sequential(
        [
            layers.Dense(3, activation="relu", kernel_initializer="he_normal", name="layer1",
                         input_shape=(3,)),
            layers.Dense(2, activation="relu", kernel_initializer="he_normal", name="layer2"),
            layers.Dense(2, activation="sigmoid", kernel_initializer="he_normal",
                         name="layer3"),
        ],
        name="my_Seq",
    )


def seed_functional(keras):
    """Seed 001's functional version, with layer1 of 3 units as in the other two versions."""
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,), name="my_input")
    x = keras.layers.Dense(3, activation="relu", kernel_initializer="he_normal",
                           name="layer1")(inputs)
    x = keras.layers.Dense(2, activation="relu", kernel_initializer="he_normal",
                           name="layer2")(x)
    outputs = keras.layers.Dense(2, activation="sigmoid", kernel_initializer="he_normal",
                                 name="layer3")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="my_model")


def seed_functional_as_written(keras):
    """Seed 001's functional version exactly as the seed writes it (layer1 has 2 units)."""
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,), name="my_input")
    layer1 = keras.layers.Dense(2, activation="relu", kernel_initializer="he_normal",
                                name="layer1")(inputs)
    layer2 = keras.layers.Dense(2, activation="relu", kernel_initializer="he_normal",
                                name="layer2")(layer1)
    outputs = keras.layers.Dense(2, activation="sigmoid", kernel_initializer="he_normal",
                                 name="layer3")(layer2)
    return keras.Model(inputs=inputs, outputs=outputs, name="my_model")


def seed_subclassed(keras):
    """Seed 001's subclassed version (summary recorded before and after its first call)."""
    keras.backend.clear_session()

    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.layer1 = keras.layers.Dense(3, activation="relu",
                                             kernel_initializer="he_normal", name="layer1")
            self.layer2 = keras.layers.Dense(2, activation="relu",
                                             kernel_initializer="he_normal", name="layer2")
            self.layer3 = keras.layers.Dense(2, activation="sigmoid",
                                             kernel_initializer="he_normal", name="layer3")

        def call(self, inputs):
            x = self.layer1(inputs)
            x = self.layer2(x)
            x = self.layer3(x)
            return x

    return MyModel()


def seed_regularized(keras):
    """Seed 003: Dense(64, input_dim=64) with l2, l1 activity and MaxNorm, then Dense(10)."""
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(keras.layers.Dense(64, input_dim=64,
                                 kernel_regularizer=keras.regularizers.l2(0.01),
                                 activity_regularizer=keras.regularizers.l1(0.01),
                                 kernel_constraint=keras.constraints.MaxNorm(max_value=2,
                                                                             axis=0)))
    model.add(keras.layers.Dense(10, kernel_regularizer=keras.regularizers.l1_l2(0.01, 0.01),
                                 activation="sigmoid"))
    return model


def seed_api_functional(keras):
    """Seed 002: Input(3) -> Dense(4, relu) -> Dense(5, softmax), unnamed."""
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,))
    x = keras.layers.Dense(4, activation="relu")(inputs)
    outputs = keras.layers.Dense(5, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def seed_api_sequential(keras):
    """Seed 002: Dense(8, input_shape=(32,)) then Dense(4), added one by one."""
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(keras.layers.Dense(8, input_shape=(32,)))
    model.add(keras.layers.Dense(4))
    return model


def seed_dense_shapes(keras):
    """Seed 002: Input(16) -> Dense(32, relu) -> Dense(32); output_shape (None, 32)."""
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(keras.Input(shape=(16,)))
    model.add(keras.layers.Dense(32, activation="relu"))
    model.add(keras.layers.Dense(32))
    return model


def seed_reshape_shapes(keras):
    """Seed 002: Reshape((3, 4), input_shape=(12,)); output_shape (None, 3, 4)."""
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(keras.layers.Reshape((3, 4), input_shape=(12,)))
    return model


def seed_conv_flatten(keras):
    """Seed 002: Conv2D(64, 3, 3) on input_shape (3, 32, 32), then Flatten."""
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(keras.layers.Conv2D(64, 3, 3, input_shape=(3, 32, 32)))
    model.add(keras.layers.Flatten())
    return model


def two_heads_shared(keras):
    """Two inputs, two outputs, one Dense layer shared by both branches."""
    keras.backend.clear_session()
    layers = keras.layers
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
    return keras.Model(inputs=[title, body], outputs=[priority, department],
                       name="ticket_router")


def nested_functional(keras):
    """A functional model used as a layer inside another one."""
    keras.backend.clear_session()
    inner_in = keras.Input(shape=(4,), name="inner_in")
    inner_out = keras.layers.Dense(2, activation="relu", name="inner_dense")(
        keras.layers.Dense(3, name="inner_hidden")(inner_in))
    inner = keras.Model(inner_in, inner_out, name="inner")
    x = keras.Input(shape=(5,), name="x")
    h = keras.layers.Dense(4, name="pre")(x)
    y = keras.layers.Dense(1, name="post")(inner(h))
    return keras.Model(x, y, name="outer")


def nested_sequential(keras):
    """A Sequential model added to another Sequential model, and a frozen layer."""
    keras.backend.clear_session()
    block = keras.Sequential([keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(3)], name="block")
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5), block,
                              keras.layers.Dense(2, activation="softmax")], name="stack")
    model.layers[0].trainable = False
    return model


def small_cnn(keras):
    """The case study's kind of CNN: Conv2D, BatchNormalization, pooling, Dropout, Dense."""
    keras.backend.clear_session()
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(8, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Conv2D(16, 3, activation="relu"),
            layers.Flatten(),
            layers.Dropout(0.25),
            layers.Dense(10, activation="softmax"),
        ],
        name="digits_cnn",
    )


def dict_in_dict_out(keras):
    """Dict inputs keyed by the Input names and dict outputs (keys not sorted)."""
    keras.backend.clear_session()
    inputs = {"numbers": keras.Input(shape=(3,), name="numbers"),
              "flags": keras.Input(shape=(2,), name="flags")}
    h = keras.layers.Concatenate(name="joined")([inputs["numbers"], inputs["flags"]])
    h = keras.layers.Dense(4, activation="relu", name="trunk")(h)
    outputs = {"zeta": keras.layers.Dense(1, name="z")(h),
               "alpha": keras.layers.Dense(2, name="al")(h)}
    return keras.Model(inputs, outputs, name="dict_model")


def built_by_call(keras):
    """A Sequential model without an Input, built by its first call on a batch of 2."""
    keras.backend.clear_session()
    return keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])


def long_names_branchy(keras):
    """Long layer names that wrap, and a branchy graph: the four-column summary."""
    keras.backend.clear_session()
    layers = keras.layers
    image = keras.Input(shape=(6, 6, 2), name="image_input")
    a = layers.Conv2D(3, 3, padding="same")(image)
    a = layers.BatchNormalization()(a)
    b = layers.Conv2D(3, 1, name="averyveryverylongname_without_spaces_at_all")(image)
    merged = layers.Add()([a, b])
    pooled = layers.GlobalAveragePooling2D()(merged)
    flat = layers.Flatten()(layers.MaxPooling2D()(merged))
    out = layers.Dense(2, name="scores")(layers.Concatenate()([pooled, flat]))
    return keras.Model(image, out)


def subclassed_containers(keras):
    """A subclassed model keeping layers in a list and a dict, with Dropout and
    BatchNormalization that follow the training flag."""
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

    return Tower(name="tower")


MODELS = {
    "seed_sequential": (seed_sequential, [(4, 3)], [{}, {"show_trainable": True}]),
    "seed_functional": (seed_functional, [(4, 3)], [{}]),
    "seed_functional_as_written": (seed_functional_as_written, [(4, 3)], [{}]),
    "seed_subclassed": (seed_subclassed, [(1, 3)], [{}]),
    "seed_regularized": (seed_regularized, [(4, 64)], [{}]),
    "seed_api_functional": (seed_api_functional, [(4, 3)], [{}]),
    "seed_api_sequential": (seed_api_sequential, [(4, 32)], [{}]),
    "seed_dense_shapes": (seed_dense_shapes, [(2, 16)], [{}]),
    "seed_reshape_shapes": (seed_reshape_shapes, [(2, 12)], [{}]),
    "seed_conv_flatten": (seed_conv_flatten, [(2, 3, 32, 32)], [{}]),
    "two_heads_shared": (two_heads_shared, [(4, 6), (4, 6)],
                         [{}, {"line_length": 120}, {"show_trainable": True}]),
    "nested_functional": (nested_functional, [(3, 5)], [{}, {"expand_nested": True}]),
    "nested_sequential": (nested_sequential, [(3, 4)],
                          [{}, {"expand_nested": True, "show_trainable": True}]),
    "small_cnn": (small_cnn, [(2, 8, 8, 1)],
                  [{}, {"line_length": 60}, {"layer_range": ["conv2d", "max_pooling2d"]}]),
    "dict_in_dict_out": (dict_in_dict_out, {"numbers": (3, 3), "flags": (3, 2)}, [{}]),
    "built_by_call": (built_by_call, [(2, 5)], [{}]),
    "long_names_branchy": (long_names_branchy, [(2, 6, 6, 2)], [{}, {"line_length": 90}]),
    "subclassed_containers": (subclassed_containers, [(5, 4)], [{}]),
}
