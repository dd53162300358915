"""Inference on new recordings: load a trained artifact, preprocess exactly as in training,
route by lead count (12 leads -> SE-ResNet18, any other subset -> UniversalECGNet), and
optionally run the networks with ONNX Runtime. The service (`ecgpaper.serve`) and the
`predict`, `serve` and `export` commands sit on top of this package."""

# Kept here, free of imports, so the command line can offer them without loading numpy:
# the precisions of `quantize` and the backends `route.make_runner` runs them with.
PRECISIONS = ("fp32", "int8", "fp16")
BACKENDS = ("torch", "onnx", "onnx-int8", "onnx-fp16")
