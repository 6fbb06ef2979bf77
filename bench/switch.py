# 1,000 tasks x 1,000 sleep(0) switches: 1,000,000 awaits that suspend and resume.
import asyncio

async def worker(n):
    total = 0
    for i in range(n):
        await asyncio.sleep(0)
        total += i
    return total

async def main():
    results = await asyncio.gather(*[worker(1000) for _ in range(1000)])
    print("checksum", sum(results))

asyncio.run(main())
