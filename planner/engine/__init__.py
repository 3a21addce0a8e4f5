"""The numpy engine: GPU memory and time per workload; cost, TCO, break-even, sensitivity, Monte Carlo."""
