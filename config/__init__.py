"""Typed stack config and the address plan: pure Python, no Pulumi resources."""

from config.loader import load_stack
from config.model import StackConfig
from config.problems import ConfigError, Problem
from config.source import read_stack

__all__ = ["ConfigError", "Problem", "StackConfig", "load_stack", "read_stack"]
