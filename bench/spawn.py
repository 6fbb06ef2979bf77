# 100,000 tasks that each await sleep(0) once, gathered.
import asyncio

async def child(i):
    await asyncio.sleep(0)
    return i

async def main():
    results = await asyncio.gather(*[child(i) for i in range(100_000)])
    print("checksum", sum(results))

asyncio.run(main())
