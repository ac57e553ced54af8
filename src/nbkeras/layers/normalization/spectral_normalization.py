"""``SpectralNormalization``: keep a layer's kernel at spectral norm 1 while training.

The spectral norm sigma of a matrix W is its largest singular value: the most it stretches any
vector. Dividing the kernel by sigma bounds how much the layer can amplify its input (GAN
discriminators use it for a Lipschitz bound). sigma is estimated by *power iteration*: with W
the kernel seen as a matrix (rows: all axes but the last) and a persistent unit vector u of
length ``W.shape[1]``,

    v = normalize(u W^T),   u = normalize(v W),   sigma = v W u^T,

repeated ``power_iterations`` times per training call; u converges to the top right singular
vector, and one step per call suffices because u is kept (the weight ``vector_u``) from one
call to the next while W changes slowly. In training the wrapper assigns ``W / sigma`` to the
wrapped layer's kernel and the new u to ``vector_u``, then calls the layer; the gradient reaches
the kernel through the layer's call (not through the assignment), as in Keras.
"""

from nbkeras import initializers, ops
from nbkeras.layers.core.wrapper import Wrapper
from nbkeras.layers.input_spec import InputSpec


class SpectralNormalization(Wrapper):
    """Spectral normalization of ``layer``'s ``kernel`` (or ``embeddings``)
    (``keras.layers.SpectralNormalization``)."""

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(
                "`power_iterations` should be greater than zero. Received: "
                f"`power_iterations={power_iterations}`"
            )
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(
                f"{type(self.layer).__name__} object has no attribute 'kernel' nor "
                "'embeddings': SpectralNormalization needs a layer with a kernel"
            )
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False, name="vector_u", dtype=self.kernel.dtype,
        )

    def call(self, inputs, training=False):
        if training and ops.any(ops.not_equal(self.kernel.value, 0)).numpy():
            new_vector_u, new_kernel = self.normalized_weights()
            self.vector_u.assign(new_vector_u)
            self.kernel.assign(new_kernel)
        output = self.layer(inputs)
        return ops.cast(output, inputs.dtype)

    def normalized_weights(self):
        """(u, W / sigma) after ``power_iterations`` steps of power iteration."""
        weights = ops.reshape(self.kernel.value, (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u.value
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(ops.matmul(vector_u, ops.transpose(weights)), axis=None)
            vector_u = ops.normalize(ops.matmul(vector_v, weights), axis=None)
        vector_u = ops.stop_gradient(vector_u)
        vector_v = ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        kernel = ops.reshape(ops.divide(self.kernel.value, sigma), self.kernel_shape)
        return ops.cast(vector_u, self.vector_u.dtype), ops.cast(kernel, self.kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
