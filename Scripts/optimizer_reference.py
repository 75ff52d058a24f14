#!/usr/bin/env python3
"""Independent float64 reference for the optimizer golden tests (Tests/NeuralNetTests/
OptimizerTests.swift): Keras's update formulas on f(x) = x^2 (gradient 2x) from x = 1."""
import math

def adam(x, steps, lr=0.1, b1=0.9, b2=0.999, eps=1e-7, wd=0.0):
    m = v = 0.0; out = []
    for t in range(1, steps + 1):
        g = 2 * x
        if wd: x -= x * wd * lr
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m += (g - m) * (1 - b1); v += (g * g - v) * (1 - b2)
        x -= alpha * m / (math.sqrt(v) + eps); out.append(x)
    return out

def sgd(x, steps, lr=0.1, mom=0.9, nesterov=False):
    v = 0.0; out = []
    for _ in range(steps):
        g = 2 * x; v = mom * v - lr * g
        x = x + (mom * v - lr * g if nesterov else v); out.append(x)
    return out

def rmsprop(x, steps, lr=0.01, rho=0.9, eps=1e-7, mom=0.0):
    v = s = 0.0; out = []
    for _ in range(steps):
        g = 2 * x; v = rho * v + (1 - rho) * g * g; inc = lr * g / math.sqrt(v + eps)
        if mom > 0: s = mom * s + inc; x -= s
        else: x -= inc
        out.append(x)
    return out

for name, values in [("adam lr 0.1", adam(1.0, 10)), ("adamw lr 0.1 wd 0.4", adam(1.0, 3, wd=0.4)),
                     ("sgd momentum 0.9", sgd(1.0, 5)), ("sgd nesterov 0.9", sgd(1.0, 5, nesterov=True)),
                     ("rmsprop lr 0.01", rmsprop(1.0, 5)), ("rmsprop momentum 0.5", rmsprop(1.0, 5, mom=0.5))]:
    print(name, ", ".join("%.7f" % v for v in values))
