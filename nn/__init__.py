"""The shared neural-network core: layers with hand-written forward/backward passes,
losses, recurrent cells, optimizers and a numerical gradient checker."""
