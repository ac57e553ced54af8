"""Reverse-mode automatic differentiation on a tape (``tf.GradientTape``).

Every differentiable operation is a ``Primitive``: a *forward* function on NumPy arrays that
returns its output and whatever its derivative will need ("saved"), and a *backward* function
that turns the cotangent of the output into one cotangent per input (a vector-Jacobian product).

While a ``GradientTape`` is recording, ``bind`` appends one record per primitive call whose inputs
the tape is tracking. The list is in execution order, so walking it backwards visits every
operation after all the operations that used its output: that is all the graph algorithm needed.

Broadcasting is undone in one place, ``sum_to_shape``: a backward function may return a cotangent
with the broadcast shape of the output, and the tape sums it back to the input's shape.

Forward and backward functions run with NumPy's floating-point warnings off: an overflow, a
division by zero or an invalid operation gives inf or NaN silently, as in TensorFlow.
"""

import weakref

import numpy as np

from nbkeras.kernels import reductions
from nbkeras.tensor import Tensor, Variable, VariableRead

PRIMITIVES = {}
"""Every registered primitive by name; the gradient-check tests walk this registry."""

_active_tapes = []


class Primitive:
    """A differentiable operation.

    ``forward(*arrays, **params) -> (output, saved)``
    ``backward(saved, g, needs) -> tuple``: one cotangent per input (or None where ``needs`` is
    False or the input gets no gradient). ``g`` has the output's shape; a returned cotangent may
    have the output's broadcast shape, the tape sums it down to the input's shape.
    """

    __slots__ = ("name", "forward", "backward")

    def __init__(self, name, forward, backward):
        if name in PRIMITIVES:
            raise ValueError(f"a primitive named {name!r} is already registered")
        self.name = name
        self.forward = forward
        self.backward = backward
        PRIMITIVES[name] = self

    def __call__(self, *inputs, **params):
        return bind(self, inputs, params)

    def __repr__(self):
        return f"<Primitive {self.name}>"


# Every forward and backward runs with NumPy's floating-point warnings off. np.errstate costs
# about a microsecond per use (it builds its settings anew each time); setting NumPy's own
# context variable to settings made once costs a tenth of that, and is what np.errstate does.
try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _QUIET = _make_extobj(all="ignore")

    def _quiet_numpy():
        return _extobj_contextvar.set(_QUIET)

    def _restore_numpy(token):
        _extobj_contextvar.reset(token)
except ImportError:  # another NumPy layout: the public (slower) way
    def _quiet_numpy():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def _restore_numpy(state):
        state.__exit__(None, None, None)


def bind(prim, inputs, params):
    """Run ``prim`` on tensors and record it on every tape that tracks one of the inputs."""
    arrays = [t._value for t in inputs]
    token = _quiet_numpy()  # inf and NaN come without warnings, as in TensorFlow
    try:
        out, saved = prim.forward(*arrays, **params)
    finally:
        _restore_numpy(token)
    if not isinstance(out, np.ndarray):
        out = np.asarray(out)  # NumPy returns scalars, not 0-d arrays, for 0-d inputs
    elif out.base is not None or _is_one_of(out, arrays):
        # A reshape or a slice is a view. Of a variable or a NumPy array it would change with
        # them: copy. Of an op result (read-only) it is safe, but never hand out (or freeze)
        # an input's own array.
        if any(a.flags.writeable and np.may_share_memory(out, a) for a in arrays):
            out = out.copy()
        elif _is_one_of(out, arrays):
            out = out.view()
    out.flags.writeable = False  # op results are immutable, like TF tensors
    result = Tensor(out)
    for tape in _active_tapes:
        tape._record(prim, inputs, result, saved)
    return result


def _is_one_of(array, arrays):
    for a in arrays:
        if array is a:
            return True
    return False


class _Record:
    __slots__ = ("prim", "input_ids", "input_shapes", "input_dtypes", "output_id", "saved", "needs")

    def __init__(self, prim, input_ids, input_shapes, input_dtypes, output_id, saved, needs):
        self.prim = prim
        self.input_ids = input_ids
        self.input_shapes = input_shapes
        self.input_dtypes = input_dtypes
        self.output_id = output_id
        self.saved = saved
        self.needs = needs


def _is_float(tensor):
    return tensor._value.dtype.kind == "f"


def _variable_of(tensor):
    return tensor.variable if type(tensor) is VariableRead else None


class GradientTape:
    """Record operations to differentiate them, as ``tf.GradientTape``.

    Trainable variables used inside the context are watched automatically
    (``watch_accessed_variables=True``); other tensors need ``tape.watch(x)``. A non-persistent
    tape answers one ``gradient`` call and then releases what it recorded.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._records = []
        self._tracked = set()  # ids of watched tensors and of every recorded output
        self._watched_variables = {}  # id -> Variable, in first-use order
        self._recording = False
        self._used = False
        self._reading = {}  # variable id -> the reader set this tape joined (see _record)
        self._weak_self = weakref.ref(self)

    # -- context ------------------------------------------------------------------------------
    def __enter__(self):
        self._push()
        return self

    def __exit__(self, *exc_info):
        self._pop()
        return False

    def _push(self):
        if self in _active_tapes:
            raise ValueError("GradientTape: this tape is already recording")
        _active_tapes.append(self)
        self._recording = True

    def _pop(self):
        if self in _active_tapes:
            _active_tapes.remove(self)
        self._recording = False

    class _Paused:
        def __init__(self, tape):
            self.tape = tape

        def __enter__(self):
            self.tape._recording = False

        def __exit__(self, *exc_info):
            self.tape._recording = True
            return False

    def stop_recording(self):
        """A context in which operations are not recorded (``with tape.stop_recording():``)."""
        if not self._recording:
            raise ValueError("GradientTape.stop_recording: the tape is not recording")
        return GradientTape._Paused(self)

    def reset(self):
        """Forget everything recorded so far and every watched tensor."""
        self._release_records()
        self._tracked = set()
        self._watched_variables = {}
        self._used = False

    # -- watching -----------------------------------------------------------------------------
    def watch(self, tensor):
        """Track ``tensor`` (a Tensor, a Variable, or a list/tuple/dict of them)."""
        for t in _flatten(tensor)[0]:
            if not isinstance(t, Tensor):
                raise ValueError(
                    f"GradientTape.watch: expected a Tensor or Variable, got {type(t).__name__}; "
                    "convert NumPy data with ops.convert_to_tensor first"
                )
            if not _is_float(t):
                continue  # TensorFlow ignores integer tensors too: they have no gradient
            self._tracked.add(t._id)
            variable = t if isinstance(t, Variable) else _variable_of(t)
            if variable is not None:
                self._watched_variables.setdefault(t._id, variable)

    def watched_variables(self):
        return tuple(self._watched_variables.values())

    def _record(self, prim, inputs, output, saved):
        if not self._recording:
            return
        tracked = self._tracked
        needs, ids, shapes, dtypes_, variables = [], [], [], [], None
        needed = False
        for t in inputs:
            tid, value = t._id, t._value
            if type(t) is Tensor:  # most inputs: an op result, no variable to look for
                need = tid in tracked and value.dtype.kind == "f"
            else:
                variable = t if isinstance(t, Variable) else _variable_of(t)
                if variable is not None:
                    variables = [variable] if variables is None else variables + [variable]
                if tid in tracked:
                    need = value.dtype.kind == "f"
                elif (variable is not None and self._watch_accessed_variables
                      and variable._trainable and value.dtype.kind == "f"):
                    tracked.add(tid)
                    self._watched_variables.setdefault(tid, variable)
                    need = True
                else:
                    need = False
            needed = needed or need
            needs.append(need)
            ids.append(tid)
            shapes.append(value.shape)
            dtypes_.append(value.dtype)
        if not needed or output._value.dtype.kind != "f":
            return
        self._records.append(_Record(prim, ids, shapes, dtypes_, output._id, saved, needs))
        tracked.add(output._id)
        # Saved arrays may be a variable's own memory (see Variable._array_for_writing): the
        # variable learns that this tape reads it, once per array it holds (its reader set is
        # new whenever the variable moves to a new array).
        if variables is None:
            return
        reading = self._reading
        for variable in variables:
            readers = variable._readers
            if reading.get(variable._id) is not readers:
                readers[id(self)] = self._weak_self
                reading[variable._id] = readers

    def _release_records(self):
        """Drop the records (and the arrays they saved); the variables stop counting this tape
        among their readers."""
        self._records = []
        me = id(self)
        for readers in self._reading.values():
            if readers.get(me) is self._weak_self:
                del readers[me]
        self._reading = {}

    # -- differentiation ----------------------------------------------------------------------
    def gradient(
        self, target, sources, output_gradients=None, unconnected_gradients="none"
    ):
        """The gradient of ``target`` (summed over its elements) with respect to ``sources``.

        ``sources`` may be one tensor/variable or a list, tuple or dict of them; the result has
        the same structure. A source that does not influence the target gets None (or zeros with
        ``unconnected_gradients="zero"``).
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                "GradientTape.gradient: unconnected_gradients must be 'none' or 'zero', "
                f"got {unconnected_gradients!r}"
            )
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients; use GradientTape(persistent=True) for more"
            )
        targets = list(target) if isinstance(target, (list, tuple)) else [target]
        flat_sources, rebuild = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise ValueError(
                    "GradientTape.gradient: every source must be a Tensor or Variable, "
                    f"got {type(s).__name__}"
                )
        seeds = _seeds(targets, output_gradients)

        grads = {}
        for t, seed in zip(targets, seeds, strict=True):
            if _is_float(t):
                _accumulate(grads, t._id, seed)
        keep = {s._id for s in flat_sources}
        token = _quiet_numpy()  # as in bind: inf and NaN without warnings
        try:
            for record in reversed(self._records):
                output_id = record.output_id
                g = grads.get(output_id) if output_id in keep else grads.pop(output_id, None)
                if g is None:  # (popped: memory is freed once it has been pushed back)
                    continue
                needs = record.needs
                input_grads = record.prim.backward(record.saved, g, needs)
                for i, gi in enumerate(input_grads):
                    if gi is None or not needs[i]:
                        continue
                    if not isinstance(gi, np.ndarray):
                        gi = np.asarray(gi)
                    shape = record.input_shapes[i]
                    if gi.shape != shape:
                        gi = sum_to_shape(gi, shape)
                    if gi.dtype != record.input_dtypes[i]:
                        gi = gi.astype(record.input_dtypes[i])
                    # never add in place: a cotangent may be shared with another input (add's
                    # backward passes the same array to both sides)
                    key = record.input_ids[i]
                    previous = grads.get(key)
                    grads[key] = gi if previous is None else previous + gi
        finally:
            _restore_numpy(token)

        results = []
        for s in flat_sources:
            g = grads.get(s._id)
            if g is None:
                if unconnected_gradients == "zero":
                    results.append(Tensor(np.zeros(s.shape, s._value.dtype)))
                else:
                    results.append(None)
            else:
                g = np.array(g, copy=True) if not g.flags.writeable or g.base is not None else g
                g.flags.writeable = False
                results.append(Tensor(g))
        self._used = True
        if not self._persistent:
            self._release_records()  # release the saved arrays
        return rebuild(results)


SHARED_ONES_ELEMENTS = 1 << 22
"""Largest seed (in elements, 16 MiB of float32) taken from one shared read-only array of ones
instead of a new one: a fresh multi-megabyte array costs its page faults and a pass of writes
on every call (0.07-0.2 ms for 1e6 float32 here, a tenth of a sigmoid's forward and
backward)."""

_shared_ones = {}


def _ones(shape, dtype):
    """A read-only array of ones of ``shape``: a view of one shared array per dtype when it is
    small enough (a backward never writes into its cotangent; the tape copies a cotangent it
    returns when it is read-only)."""
    size = int(np.prod(shape, dtype=np.int64))
    if size > SHARED_ONES_ELEMENTS:
        return np.ones(shape, dtype)
    ones = _shared_ones.get(dtype)
    if ones is None or ones.size < size:
        ones = np.ones(max(size, 1024), dtype)
        ones.flags.writeable = False
        _shared_ones[dtype] = ones
    return ones[:size].reshape(shape)


def _seeds(targets, output_gradients):
    if output_gradients is None:
        return [_ones(t.shape, t._value.dtype) for t in _as_tensors(targets)]
    given = (
        list(output_gradients)
        if isinstance(output_gradients, (list, tuple)) and len(targets) > 1
        else [output_gradients]
    )
    if len(given) != len(targets):
        raise ValueError(
            f"GradientTape.gradient: {len(targets)} targets but {len(given)} output_gradients"
        )
    seeds = []
    for t, og in zip(_as_tensors(targets), given, strict=True):
        array = np.array(og._value if isinstance(og, Tensor) else og, dtype=t._value.dtype)
        if array.shape != t.shape:
            raise ValueError(
                f"GradientTape.gradient: output_gradients has shape {array.shape}, "
                f"but the target has shape {t.shape}"
            )
        seeds.append(array)
    return seeds


def _as_tensors(targets):
    for t in targets:
        if not isinstance(t, Tensor):
            raise ValueError(
                f"GradientTape.gradient: the target must be a Tensor, got {type(t).__name__}"
            )
    return targets


def _accumulate(grads, key, g):
    # Never add in place: a cotangent may be shared with another input (add's backward
    # passes the same array to both sides).
    previous = grads.get(key)
    grads[key] = g if previous is None else previous + g


def sum_to_shape(g, shape):
    """Undo broadcasting: sum ``g`` over the axes that broadcasting added or stretched to reach
    ``g.shape`` from ``shape``."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    summed = reductions.sum_over_axes(g, axes, keepdims=True) if axes else g
    return summed.reshape(shape)


def _flatten(structure):
    """Flatten a tensor, or a list/tuple/dict of tensors, and return a function to rebuild it."""
    if isinstance(structure, dict):
        keys = list(structure)
        return [structure[k] for k in keys], lambda flat: dict(zip(keys, flat, strict=True))
    if isinstance(structure, (list, tuple)):
        kind = type(structure)
        return list(structure), lambda flat: kind(flat)
    return [structure], lambda flat: flat[0]
