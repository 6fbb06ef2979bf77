# 100,000 tasks sleeping in sleep(0.5) at once.
import asyncio

async def sleeper(i):
    await asyncio.sleep(0.5)
    return 1

async def main():
    results = await asyncio.gather(*[sleeper(i) for i in range(100_000)])
    print("checksum", sum(results))

asyncio.run(main())
