import os

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
Session = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Meter(Base):
    __tablename__ = "meters"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(500), unique=True)
    household: Mapped[str] = mapped_column(String(200))
    tariff: Mapped[str] = mapped_column(String(40))

    @classmethod
    def by_subject(cls, subject):
        return select(cls).where(cls.subject == subject)


async def get_session():
    async with Session() as session:
        yield session
