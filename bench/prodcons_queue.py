# Producer/consumer pipeline through asyncio.Queue (maxsize 32):
# producer -> doubler -> consumer.
import asyncio
import sys


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
    a = asyncio.Queue(32)
    b = asyncio.Queue(32)
    results = await asyncio.gather(producer(a, n), doubler(a, b), consumer(b))
    print("checksum", results[2][0], results[2][1])


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500_000))
