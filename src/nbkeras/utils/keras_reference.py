"""The frozen real-Keras reference cases (tests/reference/, written by `make reference`).

Tests and chapters both read them through this module, so a chapter asserts its numbers against
exactly the values the test suite uses. The data live in the repository, not in the installed
package: ``reference_dir`` finds ``tests/reference`` from the working directory upwards (a
notebook runs in ``book/``, pytest at the root), or from ``NBKERAS_REFERENCE_DIR``.
"""

import functools
import json
import os
import pathlib

import numpy as np


def reference_dir():
    override = os.environ.get("NBKERAS_REFERENCE_DIR")
    if override:
        return pathlib.Path(override)
    here = pathlib.Path.cwd().resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "tests" / "reference"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "tests/reference not found above the working directory; run from the nbkeras "
        "repository or set NBKERAS_REFERENCE_DIR"
    )


class Case:
    """One reference case: its JSON metadata plus access to its arrays."""

    def __init__(self, meta, arrays):
        self.meta = meta
        self.id = meta["id"]
        self._arrays = arrays

    def __getitem__(self, key):
        return self.meta[key]

    def get(self, key, default=None):
        return self.meta.get(key, default)

    def array(self, name):
        return self._arrays[f"{self.id}/{name}"]

    def has_array(self, name):
        return f"{self.id}/{name}" in self._arrays

    def __repr__(self):
        return f"<Case {self.id}>"


@functools.cache
def load(family):
    """Every case of one family (``"ops"``, ``"seeds"``, ...), in the order they were made."""
    directory = reference_dir()
    meta = json.loads((directory / f"{family}.json").read_text())
    with np.load(directory / f"{family}.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    return [Case(c, arrays) for c in meta["cases"]]


def case(family, case_id):
    for c in load(family):
        if c.id == case_id:
            return c
    raise KeyError(f"no reference case {case_id!r} in {family}")


def assert_matches_keras(actual, expected, rtol, what=""):
    """``actual`` agrees with Keras' ``expected`` to ``rtol`` relative to each array's scale.

    Elements are compared with ``|a - e| <= rtol * (|e| + max|e|)``: an element far smaller than
    the array's largest one (a softmax gradient summing to ~0, say) carries rounding errors of the
    size of the large ones, so the scale of the whole array enters the bound. NaN must match NaN
    and infinities must match exactly.
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    finite = np.isfinite(expected)
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), f"{what}: NaN positions differ"
    infinite = np.isinf(expected)
    assert np.array_equal(actual[infinite], expected[infinite]), f"{what}: infinities differ"
    if not finite.any():
        return
    a = actual[finite].astype(np.float64)
    e = expected[finite].astype(np.float64)
    scale = float(np.max(np.abs(e)))
    bound = rtol * (np.abs(e) + scale)
    bad = np.abs(a - e) > bound
    if bad.any():
        worst = int(np.argmax(np.abs(a - e) / np.maximum(bound, 1e-300)))
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {e.size} elements differ from Keras beyond rtol={rtol}; "
            f"worst: got {a[worst]!r}, Keras {e[worst]!r} "
            f"(relative error {abs(a[worst] - e[worst]) / max(abs(e[worst]), scale):.3g})"
        )


def check_op_case(case, rtol=1e-6):
    """Run one ``ops`` reference case on nbkeras and assert it matches Keras: the output's dtype
    and values, and the gradient of every watched input against the recorded cotangent (or no
    gradient where TensorFlow gave none)."""
    import nbkeras as keras
    from nbkeras import ops

    args, named = [], {}
    for spec in case["args"]:
        if "array" in spec:
            named[spec["array"]] = t = ops.convert_to_tensor(case.array(spec["array"]))
            args.append(t)
        elif "arrays" in spec:
            tensors = [ops.convert_to_tensor(case.array(n)) for n in spec["arrays"]]
            named.update(zip(spec["arrays"], tensors, strict=True))
            args.append(tensors)
        else:
            args.append(spec["value"])
    with keras.GradientTape(persistent=True) as tape:
        tape.watch([named[n] for n in case["grads"]])
        out = functools.reduce(getattr, case["fn"].split("."), ops)(*args, **case["kwargs"])
    assert out.dtype == case["output_dtype"], (
        f"{case.id}: dtype {out.dtype}, Keras {case['output_dtype']}"
    )
    expected = case.array("output")
    if expected.dtype.kind in "biu":
        assert np.array_equal(out.numpy(), expected), f"{case.id}: output differs from Keras"
    else:
        assert_matches_keras(out, expected, rtol, f"{case.id} output")
    for name, has_gradient in case["grads"].items():
        grad = tape.gradient(out, named[name], output_gradients=case.array("cotangent"))
        assert (grad is None) == (not has_gradient), (
            f"{case.id}: gradient of {name} is {'missing' if has_gradient else 'unexpected'}"
        )
        if has_gradient:
            assert grad.dtype == named[name].dtype, f"{case.id}: gradient dtype of {name}"
            assert_matches_keras(grad, case.array(f"grad/{name}"), rtol, f"{case.id} grad {name}")


def check_activation_case(case, rtol=1e-5):
    """Run one ``activations`` reference case on nbkeras and assert it matches Keras: the
    output's dtype and values, and the gradient against the recorded cotangent."""
    import nbkeras as keras
    from nbkeras import activations, ops

    x = ops.convert_to_tensor(case.array("x"))
    function = getattr(activations if case["module"] == "activations" else ops, case["fn"])
    with keras.GradientTape() as tape:
        tape.watch(x)
        out = function(x, **case["kwargs"])
    assert out.dtype == case["output_dtype"], (
        f"{case.id}: dtype {out.dtype}, Keras {case['output_dtype']}"
    )
    assert_matches_keras(out, case.array("output"), rtol, f"{case.id} output")
    if case["grad"]:
        grad = tape.gradient(out, x, output_gradients=case.array("cotangent"))
        assert grad.dtype == out.dtype, f"{case.id}: gradient dtype {grad.dtype}"
        assert_matches_keras(grad, case.array("grad/x"), rtol, f"{case.id} gradient")


def run_loss_case(case, y_true, y_pred):
    """Call what a ``losses`` reference case called (a loss class, a loss function or a
    cross-entropy op, after the case's activation) on nbkeras; returns (value, loss object or
    None)."""
    import warnings

    from nbkeras import activations, losses, ops

    if case["activation"]:
        y_pred = getattr(activations, case["activation"])(y_pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # from_logits=True on a sigmoid output
        if case["kind"] == "class":
            loss = getattr(losses, case["name"])(**case["kwargs"])
            weight = case.array("sample_weight") if case["sample_weight"] else None
            return loss(y_true, y_pred, sample_weight=weight), loss
        module = losses if case["kind"] == "function" else ops
        return getattr(module, case["name"])(y_true, y_pred, **case["kwargs"]), None


def check_loss_case(case, rtol=1e-5):
    """Run one ``losses`` reference case on nbkeras and assert it matches Keras: the value's
    dtype and values, the gradient for y_pred (and y_true) against the recorded cotangent, or
    none where TensorFlow gave none, and the loss object's config."""
    import nbkeras as keras
    from nbkeras import ops

    y_true = ops.convert_to_tensor(case.array("y_true"))
    y_pred = ops.convert_to_tensor(case.array("y_pred"))
    with keras.GradientTape(persistent=True) as tape:
        tape.watch([y_true, y_pred])
        out, loss = run_loss_case(case, y_true, y_pred)
    assert out.dtype == case["output_dtype"], (
        f"{case.id}: dtype {out.dtype}, Keras {case['output_dtype']}"
    )
    assert_matches_keras(out, case.array("output"), rtol, f"{case.id} output")
    for name, tensor in [("y_pred", y_pred), ("y_true", y_true)]:
        if name not in case["grads"]:
            continue
        grad = tape.gradient(out, tensor, output_gradients=case.array("cotangent"))
        if not case["grads"][name]:
            assert grad is None, f"{case.id}: Keras has no gradient for {name}"
            continue
        assert grad is not None and grad.dtype == tensor.dtype, f"{case.id}: gradient of {name}"
        assert_matches_keras(grad, case.array(f"grad/{name}"), rtol, f"{case.id} grad {name}")
    if loss is not None:
        config = loss.get_config()
        for key, value in case["config"].items():  # nbkeras' configs may hold more options
            expected = tuple(value) if isinstance(config.get(key), tuple) else value
            assert config.get(key, KeyError) == expected, f"{case.id}: config[{key!r}]"


def make_layer(case):
    """The layer of a layer case: ``keras.layers.<layer>(**kwargs)``, or ``from_config(kwargs)``
    for a case recorded that way (a wrapper, whose ``layer`` argument is a config)."""
    import warnings

    from nbkeras import layers

    cls = getattr(layers, case["layer"])
    with warnings.catch_warnings():  # a case may pass Keras 2's input_dim, as the seeds do
        warnings.filterwarnings("ignore", message="Do not pass an `input_shape`")
        return cls.from_config(dict(case["kwargs"])) if case.get("from_config") else \
            cls(**case["kwargs"])


def check_layer_case(case, rtol=1e-4):
    """Run one layer reference case on nbkeras and assert it matches Keras; return the layer
    and its output.

    The layer is built as Keras built it and given Keras' weights with ``set_weights``, then
    called under a tape. Checked: the weights' names and order, the output's dtype and values,
    the gradient of every input and trainable weight against the recorded cotangent (or no
    gradient where TensorFlow gave none), the losses (weight and activity penalties) and the
    gradients of their sum, and the weights after the call (BatchNormalization's moving
    statistics).
    """
    import nbkeras as keras
    from nbkeras import ops

    layer = make_layer(case)
    inputs = [ops.convert_to_tensor(case.array(f"x{i}")) for i in range(case["n_inputs"])]
    shapes = [x.shape for x in inputs]
    layer.build(shapes if len(inputs) > 1 else shapes[0])
    assert [w.path.split("/", 1)[1] for w in layer.weights] == case["weight_paths"], (
        f"{case.id}: weights {[w.path for w in layer.weights]}"
    )
    layer.set_weights([case.array(f"w{i}") for i in range(case["n_weights"])])
    if case["trainable"] is not None:
        layer.trainable = case["trainable"]
    call_arrays = {name: ops.convert_to_tensor(case.array(f"call/{name}"))
                   for name in case.get("call_arrays", [])}
    with keras.GradientTape(persistent=True) as tape:
        tape.watch(inputs)
        out = layer(inputs if len(inputs) > 1 else inputs[0], **case["call_kwargs"],
                    **call_arrays)
        losses = layer.losses
        total_loss = ops.sum(ops.stack(losses)) if losses else None
    assert out.dtype == case["output_dtype"], f"{case.id}: dtype {out.dtype}"
    assert_matches_keras(out, case.array("output"), rtol, f"{case.id} output")
    trainable = {id(w) for w in layer.trainable_weights}
    assert [i for i, w in enumerate(layer.weights) if id(w) in trainable] == \
        case["trainable_weights"], f"{case.id}: trainable weights"
    sources = {f"x{i}": x for i, x in enumerate(inputs)}
    sources.update({f"w{i}": layer.weights[i] for i in case["trainable_weights"]})
    assert len(losses) == case["n_losses"], f"{case.id}: {len(losses)} losses"
    for i, loss in enumerate(losses):
        assert_matches_keras(loss, case.array(f"loss/{i}"), rtol, f"{case.id} loss {i}")
    for name, source in sources.items():
        for target, key, seed in [(out, "grad", case.array("cotangent")),
                                  (total_loss, "loss_grad", None)]:
            if target is None:
                continue
            grad = tape.gradient(target, source, output_gradients=seed)
            if case.has_array(f"{key}/{name}"):
                assert grad is not None, f"{case.id}: no {key} for {name}"
                assert_matches_keras(grad, case.array(f"{key}/{name}"), rtol,
                                     f"{case.id} {key} {name}")
            else:
                assert grad is None, f"{case.id}: Keras has no {key} for {name}"
    for i, weight in enumerate(layer.get_weights()):
        assert_matches_keras(weight, case.array(f"after/w{i}"), rtol, f"{case.id} weight {i}")
    return layer, out


def make_layer_from_spec(spec, custom_objects=None):
    """The layer a ``recurrent`` or ``attention`` reference case describes (``spec``: class,
    kwargs, and nested layers or cells passed to the constructor)."""
    from nbkeras import layers

    kwargs = dict(spec.get("kwargs", {}))
    for name, nested in spec.get("nested", {}).items():
        kwargs[name] = ([make_layer_from_spec(s, custom_objects) for s in nested]
                        if isinstance(nested, list) else make_layer_from_spec(nested,
                                                                              custom_objects))
    cls = (custom_objects or {}).get(spec["class"]) or getattr(layers, spec["class"])
    return cls(**kwargs)


def _flat_outputs(out):
    if isinstance(out, (list, tuple)):
        return [leaf for item in out for leaf in _flat_outputs(item)]
    return [out]


def run_call_case(case, custom_objects=None):
    """Replay a ``recurrent``/``attention`` reference case on nbkeras (see
    tools/reference/_call_cases.py): build the layer by calling it once, load Keras' weights,
    reset its states, then make every call, the last one under a tape. Returns
    (layer, outputs of each call, tape, the cotangent-weighted sum of the last outputs,
    the input tensors by name)."""
    import nbkeras as keras
    from nbkeras import ops

    keys = []
    for call in case["calls"]:
        for arg in [*call.get("args", []), *call.get("kwargs", {}).values()]:
            keys.extend([arg["array"]] if "array" in arg else arg.get("arrays", []))
    tensors = {k: ops.convert_to_tensor(case.array(k)) for k in dict.fromkeys(keys)}

    def resolve(arg):
        if "array" in arg:
            return tensors[arg["array"]]
        if "arrays" in arg:
            return [tensors[k] for k in arg["arrays"]]
        return arg["value"]

    def run(call):
        args = [resolve(a) for a in call.get("args", [])]
        kwargs = {k: resolve(a) for k, a in call.get("kwargs", {}).items()}
        return layer(*args, **kwargs)

    layer = make_layer_from_spec(case["spec"], custom_objects)
    run(case["calls"][0])
    layer.set_weights([case.array(f"w{i}") for i in range(case["n_weights"])])
    if getattr(layer, "stateful", False):
        layer.reset_states()
    results = []
    for c, call in enumerate(case["calls"]):
        with keras.GradientTape(persistent=True) as tape:
            tape.watch([t for t in tensors.values() if t.dtype.startswith("float")])
            outputs = _flat_outputs(run(call))
            if c == len(case["calls"]) - 1:
                total = ops.sum(ops.stack([
                    ops.sum(ops.multiply(o, case.array(f"cotangent{k}")))
                    for k, o in enumerate(outputs)]))
        results.append(outputs)
    return layer, results, tape, total, tensors


def check_call_case(case, rtol=1e-4, custom_objects=None):
    """Run a ``recurrent``/``attention`` reference case on nbkeras and assert it matches Keras:
    the weights' names and order, every output of every call, the gradients of the last call
    with respect to every float input and every trainable weight, and the losses. Returns the
    layer and the outputs of each call."""
    import re

    layer, results, tape, total, tensors = run_call_case(case, custom_objects)

    def plain(path):  # Keras numbers repeated names (lstm_cell_2): compare without numbers
        return re.sub(r"_\d+(?=/|$)", "", path.split("/", 1)[1])

    assert [plain(w.path) for w in layer.weights] == [
        re.sub(r"_\d+(?=/|$)", "", p) for p in case["weight_paths"]], (
        f"{case.id}: weights {[w.path for w in layer.weights]}")
    for c, outputs in enumerate(results):
        assert len(outputs) == case["n_outputs"][c], f"{case.id}: {len(outputs)} outputs"
        for k, o in enumerate(outputs):
            assert o.dtype == "float32", f"{case.id}: output {k} is {o.dtype}"
            assert_matches_keras(o, case.array(f"call{c}/out{k}"), rtol,
                                 f"{case.id} call {c} output {k}")
    trainable = {id(w) for w in layer.trainable_weights}
    assert [i for i, w in enumerate(layer.weights) if id(w) in trainable] == \
        case["trainable_weights"], f"{case.id}: trainable weights"
    sources = {k: t for k, t in tensors.items() if t.dtype.startswith("float")}
    sources.update({f"w{i}": layer.weights[i] for i in case["trainable_weights"]})
    # Some gradients are exactly zero in exact arithmetic (the key projection's bias shifts
    # every logit of a row by the same amount, which softmax ignores): both frameworks then
    # return rounding noise, compared only as "negligible against the case's gradients".
    floor = 1e-5 * max([float(np.max(np.abs(case.array(f"grad/{n}")))) for n in sources
                        if case.has_array(f"grad/{n}")] or [0.0])
    for name, source in sources.items():
        grad = tape.gradient(total, source)
        if case.has_array(f"grad/{name}"):
            assert grad is not None, f"{case.id}: no gradient for {name}"
            expected = case.array(f"grad/{name}")
            if np.max(np.abs(expected)) < floor:
                assert np.max(np.abs(grad.numpy())) < floor, (
                    f"{case.id}: gradient {name} should vanish, got {grad.numpy()}")
                continue
            assert_matches_keras(grad, expected, rtol, f"{case.id} gradient {name}")
        else:
            assert grad is None or not np.any(grad.numpy()), (
                f"{case.id}: Keras has no gradient for {name}")
    losses = layer.losses
    assert len(losses) == case["n_losses"], f"{case.id}: {len(losses)} losses"
    for i, loss in enumerate(losses):
        assert_matches_keras(loss, case.array(f"loss{i}"), rtol, f"{case.id} loss {i}")
    return layer, results


def comparable_config(config):
    """A layer config without what differs from process to process: names (Keras numbers
    repeated ones) and Keras' ``build_config`` of nested layers; tuples as JSON lists."""
    if isinstance(config, dict):
        return {k: comparable_config(v) for k, v in config.items()
                if k not in ("name", "build_config")}
    if isinstance(config, (list, tuple)):
        return [comparable_config(v) for v in config]
    return config
