"""Keras/QKeras -> IR. The only package that imports TensorFlow or QKeras."""

from fpga_rnn.keras_import.importer import (
    custom_objects,
    import_keras,
    keras_predict,
    load_keras_model,
)

__all__ = ["custom_objects", "import_keras", "keras_predict", "load_keras_model"]
