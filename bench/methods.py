# Method calls and attribute updates on class instances.
import sys


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, other):
        self.x += other.x
        self.y += other.y

    def dot(self, other):
        return self.x * other.x + self.y * other.y


class Counter:
    def __init__(self):
        self.count = 0
        self.total = 0

    def bump(self, v):
        self.count += 1
        self.total += v
        return self.count


def main(n):
    a = Vec(1, 2)
    b = Vec(3, -1)
    c = Counter()
    s = 0
    for i in range(n):
        a.add(b)
        s += a.dot(b) % 7
        c.bump(i)
        if i % 1000 == 0:
            a = Vec(i % 5, 1)
    print("checksum", s, c.count, c.total, a.x, a.y)


main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
