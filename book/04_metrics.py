# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Metrics
#
# A loss is what training minimises; a metric is what we report. Metrics need no derivative,
# so they may count, compare and threshold, which a loss may not: accuracy is a step function of
# the weights. What they need instead is *state*. During `fit`, Keras updates every metric once
# per batch and prints its value so far; the value after the last batch must be the metric of
# the whole epoch, not an average of per-batch values.
#
# This chapter derives `keras.metrics` in that light: the stateful protocol and the running
# mean (`Metric`, `Mean`, `Sum`, `MeanMetricWrapper`), the accuracy family with its tie rules,
# the confusion counts behind precision and recall, and the area under the ROC and
# precision-recall curves, with the bucket algorithm and the interpolation Keras sums with. Every
# number is checked against values recorded from Keras 3.15.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nbkeras as keras
from nbkeras import metrics, ops
from nbkeras.utils import assert_matches_keras, load_reference, show_source

cases = {c.id: c for c in load_reference("metrics")}


def keras_result(case_id, step=-1):
    """Keras' result after a step of a recorded metric case (the last step by default)."""
    case = cases[case_id]
    return case.array(case["steps"][step]["result"])


# %% [markdown]
# ## The stateful protocol
#
# Why state, and which? Take two batches of sizes $n_1$ and $n_2$ with mean accuracies $a_1$
# and $a_2$. The accuracy of all samples together is
#
# $$
# a = \frac{n_1 a_1 + n_2 a_2}{n_1 + n_2}, \quad \text{in general} \ne \frac{a_1 + a_2}{2}.
# $$
#
# So a metric keeps *sums* (here $\sum n_b a_b$, the number of hits, and $\sum n_b$, the number
# of samples) and divides only when asked. That is the whole protocol:
# `update_state(...)` adds one batch to the state variables, `result()` computes the value from
# them, `reset_state()` zeroes them (`fit` does this at the start of every epoch), and calling
# the metric does `update_state` and then `result`. Here a last batch of 2 samples pulls the
# mean of batch means away from the true accuracy:

# %%
accuracy = metrics.Accuracy()
batches = [([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 0]), ([7, 8], [0, 0])]
batch_values = []
for y_true, y_pred in batches:
    batch_values.append(float(metrics.Accuracy()(y_true, y_pred)))
    accuracy.update_state(y_true, y_pred)
print(f"batch accuracies {batch_values[0]:.4f} and {batch_values[1]:.4f}, "
      f"their mean {np.mean(batch_values):.4f}")
print(f"accuracy of all 8 samples: {float(accuracy.result()):.4f}")
print("state:", {v.path: float(v.numpy()) for v in accuracy.variables})

# %% [markdown]
# The state lives in non-trainable float32 variables, created by `add_variable` and named after
# the metric, as Keras does (`accuracy/total`, `accuracy/count`). Within a batch nbkeras sums in
# float64 and rounds once; from batch to batch the float32 state adds up as Keras' does, so a
# long epoch carries Keras' own float32 rounding (a count of samples stays exact up to
# $2^{24} = 16\,777\,216$). The base class is small:

# %%
show_source(metrics.Metric.add_variable, metrics.Metric.reset_state, metrics.Metric.__call__)

# %% [markdown]
# ## Mean, Sum and per-sample values
#
# `Mean` keeps `total` and `count`. A batch of values $v$ of shape $(B, d_1, \dots)$ counts as
# $B$ samples: each sample's value is first averaged over its own entries,
# $\bar v_i = \operatorname{mean}_{j} v_{ij}$. With sample weights $w_i$,
#
# $$
# \text{total} \mathrel{+}= \sum_i w_i \bar v_i, \qquad \text{count} \mathrel{+}= \sum_i w_i,
# \qquad \text{result} = \frac{\text{total}}{\text{count}}
# $$
#
# (the result is 0 while the count is 0). A weight of the values' full shape weights each
# entry, and the sample's weight is then the mean of its entry weights; a weight of shape
# $(B,)$ against values of shape $(B, 1)$ is first given the trailing axis (Keras' rank
# alignment), so nothing is broadcast into a $(B, B)$ table. `Sum` keeps only the weighted
# total.

# %%
show_source(keras.metrics.reduction_metrics.reduce_to_samplewise_values,
            metrics.Mean.update_state, metrics.Mean.result)

# %%
mean = metrics.Mean()
mean.update_state([1, 3, 5, 7])
print("Mean([1, 3, 5, 7])                     =", float(mean.result()))
mean.reset_state()
mean.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
print("Mean([1, 3, 5, 7], weights [1, 1, 0, 0]) =", float(mean.result()))
total = metrics.Sum()
total.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
print("Sum([1, 3, 5, 7], weights [1, 1, 0, 0])  =", float(total.result()))
assert float(mean.result()) == keras_result("metric/mean/documented_weighted")
assert float(total.result()) == keras_result("metric/sum/documented_weighted")

# %% [markdown]
# One consequence of the rule is easy to miss. A *scalar* weight has rank 0, so the values are
# reduced to rank 0 as well: the whole batch becomes **one** sample of that weight. After
# `update_state([1, 3, 5, 7], sample_weight=0.5)` the state is total = 0.5 · 4 = 2 and count =
# 0.5; a second batch `[1, 1]` with weights `[1, 1]` then gives (2 + 2) / 2.5 = 1.6, not the
# mean of all six values. Keras does exactly this:

# %%
mean = metrics.Mean()
mean.update_state([1, 3, 5, 7], sample_weight=0.5)
print(f"after the scalar weight: total {float(mean.total.numpy())}, "
      f"count {float(mean.count.numpy())}")
mean.update_state([1, 1], sample_weight=[1, 1])
print(f"after the second batch:  {float(mean.result()):.7g}")
assert_matches_keras(mean.result(), keras_result("metric/mean/scalar_weight"), rtol=1e-7)

# %% [markdown]
# ### Any function of (y_true, y_pred) is a metric
#
# Most metrics are a function that returns one value per sample, averaged by `Mean`. That is
# `MeanMetricWrapper(fn, **kwargs)`: `update_state(y_true, y_pred, sample_weight)` calls
# `fn(y_true, y_pred, **kwargs)` and passes the result to `Mean.update_state`. A plain function
# works the same way (and `metrics.get` returns a callable unchanged, which is how
# `compile(metrics=[fn])` accepts it). Here a squared difference of two-column rows: each row's
# value is the mean of its two squares.

# %%
show_source(metrics.MeanMetricWrapper.update_state)


# %%
def squared_difference(y_true, y_pred):
    return ops.square(y_true - y_pred)


case = cases["metric/mean_metric_wrapper/plain_function"]
wrapped = metrics.MeanMetricWrapper(squared_difference, name="squared_difference")
for step in case["steps"]:
    wrapped.update_state(**{arg: case.array(name) for arg, name in step["update"].items()})
    print(f"after batch {step['update']['y_true'].split('/')[0]}: "
          f"{float(wrapped.result()):.5f}   Keras: {float(case.array(step['result'])):.5f}")
    assert_matches_keras(wrapped.result(), case.array(step["result"]), rtol=1e-5)
print(metrics.get(squared_difference) is squared_difference)

# %% [markdown]
# ## Accuracy
#
# Every accuracy metric is a `MeanMetricWrapper` around a function that returns 1.0 for a hit
# and 0.0 for a miss, per sample. They differ in what counts as a hit.
#
# **`Accuracy`**: exact equality, `y_true == y_pred`, after the labels are cast to the
# predictions' dtype. The documented example has one mismatch in four:

# %%
print(float(metrics.Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])))
assert float(metrics.Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])) == \
    keras_result("metric/accuracy/documented")

# %% [markdown]
# **`BinaryAccuracy(threshold=0.5)`**: the prediction is the class $\hat y = [p > t]$, with a
# *strict* inequality, and the hit is $\hat y = y$. In the documented example the predictions
# 0.98, 1, 0 and 0.6 become the classes 1, 1, 0, 1 against the labels 1, 1, 0, 0: three hits.
# A probability exactly at the threshold predicts 0, and a soft label such as 0.9 never
# matches either class. The threshold is converted to float32 before the comparison, as Keras
# converts it to a tensor.

# %%
show_source(metrics.binary_accuracy)

# %%
y_true, y_pred = [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]
print("per sample:", metrics.binary_accuracy(y_true, y_pred).numpy().ravel())
print("BinaryAccuracy():             ", float(metrics.BinaryAccuracy()(y_true, y_pred)))
print("BinaryAccuracy(threshold=0.7):", float(metrics.BinaryAccuracy(threshold=0.7)(y_true,
                                                                                   y_pred)))
at_threshold = metrics.binary_accuracy([1, 0, 0.9, 1], [0.5, 0.5, 0.95, 0.51]).numpy()
print("labels [1, 0, 0.9, 1] at p = [0.5, 0.5, 0.95, 0.51]:", at_threshold)
for case_id, t in [("documented", 0.5), ("threshold_0.7", 0.7)]:
    value = metrics.BinaryAccuracy(threshold=t)(y_true, y_pred)
    assert_matches_keras(value, keras_result(f"metric/binary_accuracy/{case_id}"), rtol=1e-7)
assert_matches_keras(at_threshold.mean(),
                     keras_result("metric/binary_accuracy/at_threshold_and_soft_labels"), 1e-7)

# %% [markdown]
# **`CategoricalAccuracy`** compares $\arg\max_c y_c$ of the one-hot label with
# $\arg\max_c p_c$; **`SparseCategoricalAccuracy`** takes the integer label itself. `argmax`
# returns the *first* maximum, so a tie goes to the lowest class index, and a row of equal
# scores predicts class 0. The documented example: the first sample's label is class 2 but
# class 1 scores 0.9 > 0.8, the second is right.

# %%
show_source(metrics.categorical_accuracy)

# %%
y_true, y_pred = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
print("categorical_accuracy:       ", metrics.categorical_accuracy(y_true, y_pred).numpy())
print("sparse_categorical_accuracy:", metrics.sparse_categorical_accuracy([[2], [1]],
                                                                          y_pred).numpy())
for fn, case_id in [(metrics.categorical_accuracy, "categorical_accuracy"),
                    (metrics.sparse_categorical_accuracy, "sparse_categorical_accuracy")]:
    case = cases[f"function/{case_id}/documented"]
    assert_matches_keras(fn(case.array("y_true"), case.array("y_pred")), case.array("output"),
                         rtol=0)

# %% [markdown]
# ### A worked example: four samples, three classes
#
# Four images, classes 0 = cat, 1 = dog, 2 = bird, with the model's probabilities:
#
# | sample | label | p(cat) | p(dog) | p(bird) | arg max | hit? | rank of the label |
# |---|---|---|---|---|---|---|---|
# | 1 | cat  | **0.7** | 0.2 | 0.1 | cat | yes | 1 |
# | 2 | dog  | 0.1 | **0.8** | 0.1 | dog | yes | 1 |
# | 3 | bird | 0.2 | 0.3 | **0.5** | bird | yes | 1 |
# | 4 | dog  | **0.5** | 0.1 | 0.4 | cat | no | 3 |
#
# Three arg-max hits of four: categorical accuracy 3/4 = 75%. Sample 4's label is ranked last,
# so it is not among the two best either, and the top-2 accuracy is also 75%.

# %%
labels = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5], [0.5, 0.1, 0.4]],
                         np.float32)
categorical = metrics.CategoricalAccuracy()(labels, probabilities)
top_2 = metrics.TopKCategoricalAccuracy(k=2)(labels, probabilities)
print(f"categorical accuracy {float(categorical):.0%}, top-2 accuracy {float(top_2):.0%}")
assert float(categorical) == keras_result("metric/categorical_accuracy/four_samples")
assert float(top_2) == keras_result("metric/top_k_categorical_accuracy/four_samples_k2")

# %% [markdown]
# ### Top-k and its tie rule
#
# "The label is among the $k$ best classes" needs a rule for ties. Keras (through TensorFlow's
# `in_top_k`) counts how many classes score **strictly** higher than the label's class,
#
# $$
# \begin{gathered}
# \text{rank}(y) = 1 + \#\{c : p_c > p_y\}, \\
# \text{hit} \iff \text{rank}(y) \le k \iff \#\{c : p_c > p_y\} < k,
# \end{gathered}
# $$
#
# so every class tied with the label is on the label's side. With four equal scores every class
# has rank 1, and top-1 accuracy is 100% whatever the labels. A row holding NaN or an infinity,
# or a label outside $[0, C)$, is a miss. The count is a loop over the classes, a kernel:

# %%
show_source(keras.kernels.confusion.in_top_k)

# %%
print("top_k_categorical_accuracy, k=2:       ",
      metrics.top_k_categorical_accuracy(y_true, y_pred, k=2).numpy())
print("sparse_top_k_categorical_accuracy, k=2:",
      metrics.sparse_top_k_categorical_accuracy([2, 1], y_pred, k=2).numpy())
ties = metrics.TopKCategoricalAccuracy(k=1)(np.eye(4, dtype=np.float32),
                                            np.full((4, 4), 0.25, np.float32))
print("four equal scores, k=1:", float(ties))
assert float(ties) == keras_result("metric/top_k_categorical_accuracy/ties_k1") == 1.0

# %% [markdown]
# ## Confusion counts: precision and recall
#
# For a binary problem and a threshold $t$, each sample falls in one cell of the confusion
# matrix: its label is positive when non-zero, its prediction when $p > t$ (strict again). The
# metrics `TruePositives`, `FalsePositives`, `TrueNegatives` and `FalseNegatives` keep the
# weighted count of one cell, per threshold; `Precision` and `Recall` keep two,
#
# $$
# \text{precision} = \frac{TP}{TP + FP}, \qquad \text{recall} = \frac{TP}{TP + FN},
# $$
#
# reported as 0 when the denominator is 0. Because they keep counts, their value over many
# batches is that of all samples together. `thresholds` may be a list (a value per threshold is
# returned); every entry of the inputs is one sample of a single binary problem, unless
# `class_id` picks one column, and `top_k` keeps each row's $k$ largest scores (ties: the lower
# index) and treats the others as negative.
#
# The counting loop visits every sample once per threshold and adds its weight to one of the
# four cells:

# %%
show_source(keras.kernels.confusion.threshold_counts)

# %%
examples = {
    "Precision()([0,1,1,1], [1,0,1,1])": metrics.Precision()([0, 1, 1, 1], [1, 0, 1, 1]),
    "  ... with weights [0,0,1,0]": metrics.Precision()([0, 1, 1, 1], [1, 0, 1, 1],
                                                        sample_weight=[0, 0, 1, 0]),
    "Precision()([0,0,1,1], [0.5,0.5,0.5,0.7])": metrics.Precision()([0, 0, 1, 1],
                                                                     [0.5, 0.5, 0.5, 0.7]),
    "Precision(top_k=2)([0,0,1,1], [1,1,1,1])": metrics.Precision(top_k=2)([0, 0, 1, 1],
                                                                          [1, 1, 1, 1]),
    "Precision(top_k=3)([0,0,1,1], [1,1,1,1])": metrics.Precision(top_k=3)([0, 0, 1, 1],
                                                                          [1, 1, 1, 1]),
    "Recall()([0,1,1,1], [1,0,1,1])": metrics.Recall()([0, 1, 1, 1], [1, 0, 1, 1]),
}
for text, value in examples.items():
    print(f"{text:44s} {float(value):.7g}")
recorded = ["precision/documented", "precision/documented_weighted", "precision/at_threshold",
            "precision/top_k_2", "precision/top_k_3", "recall/documented"]
for value, case_id in zip(examples.values(), recorded, strict=True):
    assert_matches_keras(value, keras_result(f"metric/{case_id}"), rtol=1e-7)

# %% [markdown]
# At threshold 0.5, the three predictions of exactly 0.5 are negative, so the one positive
# prediction (0.7) is right: precision 1.0. With `top_k=2` and four equal scores, the two kept
# are the first two, both labelled 0: precision 0.
#
# ## AUC: the area under a curve of thresholds
#
# Sweeping the threshold $t$ from below 0 to above 1 moves a classifier from "everything
# positive" to "nothing positive". The **ROC curve** traces the true-positive rate (recall)
# against the false-positive rate,
#
# $$
# \text{TPR}(t) = \frac{TP(t)}{TP(t) + FN(t)}, \qquad \text{FPR}(t) = \frac{FP(t)}{FP(t) + TN(t)},
# $$
#
# from (1, 1) to (0, 0); the **PR curve** traces precision against recall. `AUC` counts the
# confusion matrix at $T$ = `num_thresholds` (200) thresholds: $t_i = i / (T-1)$ for
# $i = 1, \dots, T-2$, and the two end points $-10^{-7}$ and $1 + 10^{-7}$ instead of 0 and 1, so
# that $p = 0$ is positive at the first and $p = 1$ negative at the last. With `thresholds=[...]`,
# those (sorted) plus the same two end points. The area is a sum over the $T-1$ intervals between
# neighbouring thresholds, $x$ being FPR (ROC) or recall (PR) and $y$ the other axis:
#
# $$
# \text{AUC} = \sum_{i=0}^{T-2} (x_i - x_{i+1})\, h_i, \qquad
# h_i = \begin{cases}
#   \tfrac12 (y_i + y_{i+1}) & \text{(interpolation)}, \\
#   \min(y_i, y_{i+1}) & \text{(minoring)}, \\
#   \max(y_i, y_{i+1}) & \text{(majoring)}.
# \end{cases}
# $$
#
# For ROC, interpolation is the trapezoid rule.
#
# ### Counting at 200 thresholds in one pass: buckets
#
# Comparing every prediction with every threshold costs $O(nT)$. For evenly spaced thresholds
# $j/(T-1)$ there is a shortcut. With $s = T - 1$ and an integer $j$,
#
# $$
# p > \frac{j}{s} \iff ps > j \iff \lceil ps \rceil > j \iff j \le \lceil ps \rceil - 1 =: b(p),
# $$
#
# so a prediction is positive at exactly the thresholds $j \le b(p)$. Each sample therefore adds
# its weight to a single bucket $b(p)$, and the count at threshold $j$ is the sum of the buckets
# $b \ge j$: a cumulative sum from the top. $O(n + T)$ in all. Keras computes $b$ in float32
# after clipping $p$ to $[0, 1]$, and raises $b = -1$ (a prediction of exactly 0) to 0 when the
# first threshold is the end point just below 0. The kernel follows it step for step:

# %%
show_source(keras.kernels.confusion.bucket_counts)

# %% [markdown]
# ### PR interpolation
#
# Interpolating precision linearly in recall overestimates the PR area (Davis & Goadrich, 2006).
# Between two thresholds, false positives grow in proportion to true positives, so the linear
# quantity is $TP$ as a function of the number of positive predictions $P = TP + FP$:
# $TP = a P + b$ with slope $a = \Delta TP / \Delta P$ and intercept
# $b = TP_{i+1} - a P_{i+1}$. Along that segment precision is $TP / P = a + b / P$, and recall
# $TP / N_+$ changes by $a\, dP / N_+$ ($N_+ = TP + FN$, the number of positives, is fixed).
# The area of one interval is therefore
#
# $$
# \int_{P_{i+1}}^{P_i} \Bigl(a + \frac{b}{P}\Bigr) \frac{a\, dP}{N_+}
# = \frac{a \bigl(\Delta TP + b \ln (P_i / P_{i+1})\bigr)}{N_+},
# $$
#
# which is what `interpolate_pr_auc` sums (with the logarithm replaced by 0 when either $P$ is
# 0, and every division by 0 reported as 0):

# %%
show_source(metrics.AUC.interpolate_pr_auc)

# %% [markdown]
# The documented four-sample example: ROC 0.75 and PR 0.79726744. The nine combinations of
# curve and summation method on 500 recorded samples agree with Keras:

# %%
y_true, y_pred = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]
roc = metrics.AUC()
roc.update_state(y_true, y_pred)
pr = metrics.AUC(curve="PR")
pr.update_state(y_true, y_pred)
print(f"ROC {float(roc.result()):.8g}, PR {float(pr.result()):.8g}")
assert_matches_keras(roc.result(), keras_result("metric/auc/small_roc_default"), rtol=1e-6)
assert_matches_keras(pr.result(), keras_result("metric/auc/small_pr_default"), rtol=1e-6)

print(f"{'':8s}" + "".join(f"{s:>15s}" for s in ["interpolation", "minoring", "majoring"]))
for curve in ["ROC", "PR", "PRGAIN"]:
    row = []
    for summation in ["interpolation", "minoring", "majoring"]:
        case = cases[f"metric/auc/{curve.lower()}_{summation}"]
        auc = metrics.AUC(curve=curve, summation_method=summation)
        auc.update_state(case.array("0/y_true"), case.array("0/y_pred"))
        assert_matches_keras(auc.result(), case.array("0/result"), rtol=1e-5)
        row.append(f"{float(auc.result()):15.6f}")
    print(f"{curve:8s}" + "".join(row))

# %% [markdown]
# ### ROC and PR curves of a real classifier
#
# A logistic regression (scikit-learn, regularised enough to make mistakes) learns
# "is this digit an 8?" from half of scikit-learn's bundled 8×8 digit images and scores the other
# half. `AUC` keeps its 200 confusion counts; the curves below are drawn from them, next to
# scikit-learn's exact curves, which use every distinct score as a threshold.

# %%
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import train_test_split

images, digits = load_digits(return_X_y=True)
is_eight = (digits == 8).astype(np.int32)
x_train, x_test, y_train, y_test = train_test_split(images / 16, is_eight, test_size=0.5,
                                                    random_state=0, stratify=is_eight)
model = LogisticRegression(C=0.1, max_iter=2000).fit(x_train, y_train)
scores = model.predict_proba(x_test)[:, 1].astype(np.float32)
print(f"{len(y_test)} test images, {y_test.sum()} eights")

roc, pr = metrics.AUC(), metrics.AUC(curve="PR")
for batch in np.array_split(np.arange(len(y_test)), 8):  # 8 batches, as fit would feed them
    roc.update_state(y_test[batch], scores[batch])
    pr.update_state(y_test[batch], scores[batch])
print(f"ROC AUC: nbkeras {float(roc.result()):.4f}, exact {roc_auc_score(y_test, scores):.4f}")
print(f"PR AUC:  nbkeras {float(pr.result()):.4f}, "
      f"average precision {average_precision_score(y_test, scores):.4f}")

# %%
tp, fp, tn, fn = (v.numpy() for v in (roc.true_positives, roc.false_positives,
                                       roc.true_negatives, roc.false_negatives))
tpr = tp / (tp + fn)
fpr = fp / (fp + tn)
precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
exact_fpr, exact_tpr, _ = roc_curve(y_test, scores)
left.plot(exact_fpr, exact_tpr, color="0.7", lw=3, label="exact (scikit-learn)")
left.plot(fpr, tpr, ".-", color="C0", ms=3, lw=1, label="AUC's 200 thresholds")
left.plot([0, 1], [0, 1], ":", color="0.5")
left.set_xlabel("false-positive rate")
left.set_ylabel("true-positive rate (recall)")
left.set_title(f"ROC, area {float(roc.result()):.4f}")
left.legend(loc="lower right")
exact_precision, exact_recall, _ = precision_recall_curve(y_test, scores)
right.plot(exact_recall, exact_precision, color="0.7", lw=3, label="exact (scikit-learn)")
right.plot(tpr, precision, ".-", color="C1", ms=3, lw=1, label="AUC's 200 thresholds")
right.set_xlabel("recall")
right.set_ylabel("precision")
right.set_title(f"precision-recall, area {float(pr.result()):.4f}")
right.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# The ROC curve rises steeply: most eights score above most other digits. The PR curve shows
# what the ROC curve hides with 812 negatives against 87 positives: at high recall, precision
# falls quickly. (The vertical drop at recall 0 is the last threshold, where nothing is
# predicted positive: precision 0/0, reported as 0.) The threshold grid is uniform in the score
# while the scores are not (more than half of the negatives score below 0.05, within the first
# ten thresholds), so 200 thresholds see a coarser curve than the exact one; a finer grid brings
# the area closer:

# %%
for num_thresholds in [200, 1000, 5000]:
    fine = metrics.AUC(num_thresholds=num_thresholds)
    fine.update_state(y_test, scores)
    print(f"num_thresholds={num_thresholds:4d}: ROC AUC {float(fine.result()):.5f}")
print(f"exact:               ROC AUC {roc_auc_score(y_test, scores):.5f}")

# %% [markdown]
#
# With only a few thresholds the summation method matters. Five thresholds (three inner ones)
# on the same scores, with the rectangles that minoring and majoring would add:

# %%
coarse = metrics.AUC(num_thresholds=5)
coarse.update_state(y_test, scores)
tp, fp, tn, fn = (v.numpy() for v in (coarse.true_positives, coarse.false_positives,
                                       coarse.true_negatives, coarse.false_negatives))
x, y = fp / (fp + tn), tp / (tp + fn)
areas = {}
for summation in ["minoring", "interpolation", "majoring"]:
    auc = metrics.AUC(num_thresholds=5, summation_method=summation)
    auc.update_state(y_test, scores)
    areas[summation] = float(auc.result())
fig, ax = plt.subplots(figsize=(5, 4.2))
for i in range(4):
    low, high = min(y[i], y[i + 1]), max(y[i], y[i + 1])
    ax.fill_between([x[i + 1], x[i]], 0, low, color="C0", alpha=0.35, lw=0)
    ax.fill_between([x[i + 1], x[i]], low, high, color="C0", alpha=0.12, lw=0)
ax.plot(x, y, "o-", color="C0", label="trapezoids (interpolation)")
ax.set_xlabel("false-positive rate")
ax.set_ylabel("true-positive rate")
ax.set_title("5 thresholds: " + ", ".join(f"{k} {v:.3f}" for k, v in areas.items()),
             fontsize=9)
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# The dark rectangles are the minoring sum, dark plus light the majoring sum; the trapezoids lie
# halfway.
#
# ## Regression metrics
#
# `MeanSquaredError` and `MeanAbsoluteError` are `MeanMetricWrapper`s of the loss functions
# `losses.mean_squared_error` and `losses.mean_absolute_error` of the previous chapter (each the
# mean over the last axis, one value per sample). As metrics they divide by the sum
# of the weights, where the losses of the same name divide by the number of samples: with
# weights [0, 1], the MAE *metric* of [[0], [1]] against [[1], [0]] is 1.0, the MAE loss 0.5
# (keras-team/keras#19740). `RootMeanSquaredError` keeps the running mean of squared errors and
# takes the root only in `result`, so it is the RMSE of all samples, not a mean of batch RMSEs.

# %%
y_true, y_pred = [[0.0], [1.0]], [[1.0], [0.0]]
mae = metrics.MeanAbsoluteError()(y_true, y_pred, sample_weight=[0, 1])
print("MAE metric, weights [0, 1]:", float(mae))
assert float(mae) == keras_result("metric/mean_absolute_error/weights_0_1")
show_source(metrics.MeanAbsoluteError, metrics.RootMeanSquaredError.update_state,
            metrics.RootMeanSquaredError.result)

# %% [markdown]
# ## Names
#
# `metrics.get` turns a name into a new metric object: the class name, its snake-case form
# (`"binary_accuracy"` is the class `BinaryAccuracy`), or a short name such as `"mse"`. A
# callable comes back unchanged. A name that matches nothing raises a ValueError that lists
# the closest valid names:

# %%
print(metrics.get("auc"), metrics.get("binary_accuracy"), metrics.get("mse"))
try:
    metrics.get("binary_acuracy")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Every reference case
#
# The test suite plays every recorded case: build the metric, run its script of `update_state`
# and `reset_state` calls, and compare every intermediate result, the final state variables
# and the configuration with Keras'. The next cell does the same for the results.

# %%
played = 0
for case in cases.values():
    if case["kind"] != "metric":
        continue
    kwargs = dict(case["kwargs"])
    if case["fn"] is not None:
        kwargs["fn"] = squared_difference if case["fn"] == "squared_difference" \
            else getattr(metrics, case["fn"])
    metric = getattr(metrics, case["cls"])(**kwargs)
    for step in case["steps"]:
        if step.get("reset"):
            metric.reset_state()
        else:
            metric.update_state(**{a: case.array(n) for a, n in step["update"].items()})
        assert_matches_keras(metric.result(), case.array(step["result"]), rtol=1e-5)
    played += 1
names = sorted({c["cls"] for c in cases.values() if c["kind"] == "metric"})
print(f"{played} recorded metric scripts agree with Keras to 1e-5, over {len(names)} classes:")
print(", ".join(names))

# %% [markdown]
# ## Summary
#
# - A metric keeps sums in float32 state variables and divides only in `result`, so its value
#   after many batches is that of all samples together; `reset_state` starts afresh.
# - `Mean` averages each sample over its own entries first, then weights samples; a scalar
#   weight makes the whole batch one sample.
# - Accuracy thresholds strictly (`p > 0.5`), breaks arg-max ties toward the lowest index, and
#   counts top-k ties as hits.
# - Precision, recall and the confusion counts are weighted counts per threshold; AUC sums the
#   ROC or PR curve over 200 thresholds, counted in one pass with buckets, with Davis &
#   Goadrich's interpolation for PR.
