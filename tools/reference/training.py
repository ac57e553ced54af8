"""Reference runs of compile / fit / evaluate / predict (family "training").

Each case of ``_training_zoo.CASES`` runs in real Keras from Keras' own initial weights, with
``shuffle=False``; recorded: the arrays the cases draw from (``data/<name>``), the initial
weights (``<case>/w/<i>``), the History (keys, values, epochs, params), what evaluate,
predict and the ``*_on_batch`` methods returned, ``optimizer.iterations`` and the final weights.
nbkeras' tests run the same zoo from the same weights and compare.
"""

import keras

from reference import _training_zoo
from reference._recorder import Recorder, jsonable


def build():
    rec = Recorder("training", seed=20261203)
    data = _training_zoo.make_data(rec.rng)
    for name, value in data.items():
        rec.array("data", name, value)
    for case_id, case in _training_zoo.CASES.items():
        keras.backend.clear_session()
        keras.utils.set_random_seed(1)
        weights, results = _training_zoo.run(keras, case, data)
        for i, w in enumerate(weights):
            rec.array(case_id, f"w/{i}", w)
        final = results.pop("final_weights")
        for i, w in enumerate(final):
            rec.array(case_id, f"final/{i}", w)
        meta = {k: jsonable(v, rec, f"{case_id}/{k}") for k, v in results.items()}
        rec.add(case_id, n_weights=len(weights), **meta)
    record_progress(rec, data)
    record_summaries(rec, data)
    return rec


def record_progress(rec, data):
    """The progress output of fit, evaluate and predict (models from Keras' initial
    weights, recorded for each run)."""
    runs = _training_zoo.progress_output(keras, data)
    index = 0
    for item in runs:
        if isinstance(item, dict):
            rec.add("progress_output", printed=item, n_models=index)
            return
        keras.utils.set_random_seed(2)
        for i, w in enumerate(item.get_weights()):
            rec.array("progress_output", f"model{index}/w/{i}", w)
        index += 1


def record_summaries(rec, data):
    """The summary of a compiled model before and after training."""
    import os

    os.environ.pop("COLUMNS", None)
    runs = _training_zoo.summaries_around_training(keras, data)
    model = next(runs)
    for i, w in enumerate(model.get_weights()):
        rec.array("summaries", f"w/{i}", w)
    rec.add("summaries", texts=next(runs), n_weights=len(model.weights))
