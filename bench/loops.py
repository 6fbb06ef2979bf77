# while and for-range loops with int and float arithmetic.
import sys


def int_while(n):
    i = 0
    acc = 0
    while i < n:
        acc = (acc + i * 7) % 1000003
        i += 1
    return acc


def int_for(n):
    acc = 0
    for i in range(n):
        acc += (i & 255) - (i % 3)
        acc ^= 5
    return acc


def float_for(n):
    x = 0.0
    y = 1.0
    for i in range(n):
        x = x * 0.5 + y
        y = y + 0.25
    return x + y


def main(n):
    a = int_while(n)
    b = int_for(n)
    c = float_for(n)
    print("checksum", a, b, round(c, 3))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)
