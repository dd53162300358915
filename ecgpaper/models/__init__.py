"""The networks and baselines: SE-ResNet18-1D (`resnet1d`), UniversalECGNet
(`universal`), the four related designs, the metadata booster (`tabular`), the rule-based
classifier (`rules`), the registry that builds/saves/loads them and the parameter audit."""
