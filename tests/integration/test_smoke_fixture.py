from vextrus_finance.bootstrap import Container


async def test_fresh_database_has_an_empty_log(container: Container) -> None:
    async with container.db.read() as conn:
        assert await container.store.head_position(conn) == 0
