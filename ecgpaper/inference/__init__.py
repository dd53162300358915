"""Inference on new recordings: load a trained artifact, preprocess exactly as in training,
route by lead count (12 leads -> SE-ResNet18, any other subset -> UniversalECGNet), and
optionally run the networks with ONNX Runtime. The service (`ecgpaper.serve`) and the
`predict`, `serve` and `export` commands sit on top of this package."""
