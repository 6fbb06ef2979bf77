# Producer/consumer pipeline: producer -> doubler -> consumer through bounded
# channels of 32 items. asyncio.Queue is not in apy yet, so the channel is a
# small class built on loop.create_future() (the same code runs on python3).
import asyncio
import sys


class Chan:
    def __init__(self, loop, maxsize):
        self.loop = loop
        self.maxsize = maxsize
        self.items = []
        self.getters = []
        self.putters = []

    async def put(self, item):
        while len(self.items) >= self.maxsize:
            f = self.loop.create_future()
            self.putters.append(f)
            await f
        self.items.append(item)
        if self.getters:
            self.getters.pop(0).set_result(None)

    async def get(self):
        while not self.items:
            f = self.loop.create_future()
            self.getters.append(f)
            await f
        item = self.items.pop(0)
        if self.putters:
            self.putters.pop(0).set_result(None)
        return item


async def producer(out, n):
    for i in range(n):
        await out.put(i)
    await out.put(-1)


async def doubler(inp, out):
    while True:
        v = await inp.get()
        if v < 0:
            await out.put(v)
            return
        await out.put(v * 2 + 1)


async def consumer(inp):
    total = 0
    count = 0
    while True:
        v = await inp.get()
        if v < 0:
            return total, count
        total += v
        count += 1


async def main(n):
    loop = asyncio.get_running_loop()
    a = Chan(loop, 32)
    b = Chan(loop, 32)
    results = await asyncio.gather(producer(a, n), doubler(a, b), consumer(b))
    print("checksum", results[2][0], results[2][1])


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500_000))
