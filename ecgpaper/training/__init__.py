"""Training and evaluation of the paper's seven experiments.

experiments (the configurations as data, with the paper's figures), augment (online
augmentations, lead dropout), loop (the Table 2 training loop, checkpoint/resume),
distributed (torchrun / DDP), inputs (what a configuration feeds the network),
checkpoint (the resumable run state), seeding (seeds and threads), predict (a network
over a split in memory), run (one experiment end to end), artifacts (the per-experiment
folder). The results chapters' tables are in `ecgpaper.evaluation.tables`.
"""
