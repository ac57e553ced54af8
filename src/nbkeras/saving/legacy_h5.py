"""Keras 2's single-file HDF5 model format (``model.h5``): not read yet."""


def load_model_from_hdf5(filepath, custom_objects=None, compile=True, safe_mode=True):
    raise ValueError(
        f"Loading a legacy Keras 2 `.h5` model file is not supported by nbkeras yet: "
        f"filepath={filepath}. Load it in Keras and save it again as `.keras`."
    )


def load_weights_from_hdf5(model, filepath, skip_mismatch=False):
    raise ValueError(
        f"Loading legacy Keras 2 `.h5` weights is not supported by nbkeras yet: "
        f"filepath={filepath}. Save the weights again as `.weights.h5`."
    )
