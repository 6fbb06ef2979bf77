# list append/index, dict insert/lookup with str keys, str building with join.
import sys


def lists(n):
    xs = []
    for i in range(n):
        xs.append(i * 3)
    s = 0
    for i in range(0, n, 3):
        s += xs[i]
        xs[i] = s & 1023
    return s + len(xs) + xs[n // 2]


def dicts(n):
    keys = ["k" + str(i) for i in range(1000)]
    d = {}
    for i in range(n):
        k = keys[i % 1000]
        d[k] = d.get(k, 0) + i
    s = 0
    for k in keys:
        if k in d:
            s += d[k]
    return s


def strings(n):
    total = 0
    for r in range(n // 100):
        parts = []
        for i in range(100):
            parts.append(str(i + r))
        s = ",".join(parts)
        total += len(s)
    return total


def main(n):
    print("checksum", lists(n), dicts(n), strings(n))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
