# Ping-pong between two tasks through a pair of Futures (loop.create_future()),
# each round trip is two task switches.
import asyncio
import sys


async def main(n):
    loop = asyncio.get_running_loop()
    box = [loop.create_future(), loop.create_future()]  # [to_pong, to_ping]

    async def ponger():
        total = 0
        for _ in range(n):
            v = await box[0]
            box[0] = loop.create_future()
            total += v
            box[1].set_result(v + 1)
        return total

    async def pinger():
        total = 0
        v = 0
        for _ in range(n):
            box[0].set_result(v)
            v = await box[1]
            box[1] = loop.create_future()
            total += v
        return total

    a, b = await asyncio.gather(ponger(), pinger())
    print("checksum", a, b)


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
