# 100,000 tasks sleeping in sleep(0.5) at once (the task count is argv[1]).
import asyncio
import sys

async def sleeper(i):
    await asyncio.sleep(0.5)
    return 1

async def main(n):
    results = await asyncio.gather(*[sleeper(i) for i in range(n)])
    print("checksum", sum(results))

asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
