# Awaits 100 deep, repeated: each round builds a chain of 100 coroutines awaiting
# each other; the innermost suspends once in sleep(0), so the suspension and the
# resumption travel through the whole chain.
import asyncio
import sys


async def level(d):
    if d == 0:
        await asyncio.sleep(0)
        return 1
    return await level(d - 1) + d


async def main(reps, depth):
    total = 0
    for _ in range(reps):
        total += await level(depth)
    print("checksum", total)


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000, 100))
