"""DeliveryOrder admits a channel's deliveries in delivery-tag order, whatever order their tasks
reach it in, and never holds one up for a tag that does not come for longer than its patience."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from forlob_shared.messaging.delivery_order import DeliveryOrder


@dataclass
class Delivery:
    delivery_tag: int
    channel: object


class ClosedChannelDelivery:
    delivery_tag = 7

    @property
    def channel(self) -> object:
        raise RuntimeError("Channel closed")


async def _admit(order: DeliveryOrder, deliveries: list[Delivery], admitted: list[int]) -> None:
    async def one(delivery: Delivery) -> None:
        await order.turn(delivery)
        admitted.append(delivery.delivery_tag)  # what the consumer registers before it yields

    await asyncio.gather(*(one(d) for d in deliveries))


async def test_shuffled_arrivals_are_admitted_in_tag_order() -> None:
    channel = object()
    deliveries = [Delivery(tag, channel) for tag in range(1, 501)]
    random.Random(7).shuffle(deliveries)
    admitted: list[int] = []
    await _admit(DeliveryOrder(patience=30), deliveries, admitted)
    assert admitted == list(range(1, 501))


async def test_a_tag_that_never_comes_holds_the_next_only_for_the_patience() -> None:
    channel = object()
    admitted: list[int] = []
    order = DeliveryOrder(patience=0.01)
    await _admit(order, [Delivery(3, channel), Delivery(1, channel), Delivery(4, channel)], admitted)
    assert admitted == [1, 3, 4]  # 2 never came: 3 waited, then went on, and 4 after it
    # 2 arriving late goes straight on and does not send the order back.
    await _admit(order, [Delivery(2, channel), Delivery(5, channel)], admitted)
    assert admitted == [1, 3, 4, 2, 5]


async def test_a_new_channel_starts_again_at_tag_one() -> None:
    admitted: list[int] = []
    order = DeliveryOrder(patience=30)
    first, second = object(), object()
    await _admit(order, [Delivery(2, first), Delivery(1, first)], admitted)
    await _admit(order, [Delivery(2, second), Delivery(1, second)], admitted)  # after a reconnect
    assert admitted == [1, 2, 1, 2]


async def test_waiters_of_a_channel_that_was_replaced_go_on() -> None:
    admitted: list[int] = []
    order = DeliveryOrder(patience=30)
    old, new = object(), object()
    stuck = asyncio.create_task(_admit(order, [Delivery(5, old)], admitted))
    await asyncio.sleep(0)  # let it wait for tags 1 to 4, which the old channel will never send
    await _admit(order, [Delivery(1, new)], admitted)
    await asyncio.wait_for(stuck, timeout=5)
    assert sorted(admitted) == [1, 5]


async def test_a_delivery_whose_channel_has_closed_is_not_held() -> None:
    order = DeliveryOrder(patience=30)
    await asyncio.wait_for(order.turn(ClosedChannelDelivery()), timeout=5)
