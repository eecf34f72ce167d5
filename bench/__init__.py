"""Benchmarks behind `make bench`. Each prints figures beside a raw baseline from the same run."""
