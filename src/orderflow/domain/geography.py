"""Where the prefectures are (都道府県の位置), for choosing the warehouse nearest to a customer.

Each prefecture is placed at its prefectural office (県庁所在地), to a hundredth of a degree; the
distance between two prefectures is the great-circle distance between their offices. Good enough
to rank warehouses (Tokyo is nearer to Saitama than to Osaka); not a delivery-time table.
"""

from __future__ import annotations

import math

from orderflow.domain.address import Prefecture

__all__ = ["OFFICES", "distance_km"]

OFFICES: dict[Prefecture, tuple[float, float]] = {
    Prefecture(code): (lat, lon)
    for code, lat, lon in (
        (1, 43.06, 141.35),  # 札幌
        (2, 40.82, 140.74),  # 青森
        (3, 39.70, 141.15),  # 盛岡
        (4, 38.27, 140.87),  # 仙台
        (5, 39.72, 140.10),  # 秋田
        (6, 38.24, 140.36),  # 山形
        (7, 37.75, 140.47),  # 福島
        (8, 36.34, 140.45),  # 水戸
        (9, 36.57, 139.88),  # 宇都宮
        (10, 36.39, 139.06),  # 前橋
        (11, 35.86, 139.65),  # さいたま
        (12, 35.61, 140.12),  # 千葉
        (13, 35.69, 139.69),  # 東京 (新宿)
        (14, 35.45, 139.64),  # 横浜
        (15, 37.90, 139.02),  # 新潟
        (16, 36.70, 137.21),  # 富山
        (17, 36.59, 136.63),  # 金沢
        (18, 36.07, 136.22),  # 福井
        (19, 35.66, 138.57),  # 甲府
        (20, 36.65, 138.18),  # 長野
        (21, 35.39, 136.72),  # 岐阜
        (22, 34.98, 138.38),  # 静岡
        (23, 35.18, 136.91),  # 名古屋
        (24, 34.73, 136.51),  # 津
        (25, 35.00, 135.87),  # 大津
        (26, 35.02, 135.76),  # 京都
        (27, 34.69, 135.52),  # 大阪
        (28, 34.69, 135.18),  # 神戸
        (29, 34.69, 135.83),  # 奈良
        (30, 34.23, 135.17),  # 和歌山
        (31, 35.50, 134.24),  # 鳥取
        (32, 35.47, 133.05),  # 松江
        (33, 34.66, 133.93),  # 岡山
        (34, 34.40, 132.46),  # 広島
        (35, 34.19, 131.47),  # 山口
        (36, 34.07, 134.56),  # 徳島
        (37, 34.34, 134.04),  # 高松
        (38, 33.84, 132.77),  # 松山
        (39, 33.56, 133.53),  # 高知
        (40, 33.61, 130.42),  # 福岡
        (41, 33.25, 130.30),  # 佐賀
        (42, 32.74, 129.87),  # 長崎
        (43, 32.79, 130.74),  # 熊本
        (44, 33.24, 131.61),  # 大分
        (45, 31.91, 131.42),  # 宮崎
        (46, 31.56, 130.56),  # 鹿児島
        (47, 26.21, 127.68),  # 那覇
    )
}
"""Latitude and longitude of each prefectural office."""

_EARTH_KM = 6371.0


def distance_km(a: Prefecture, b: Prefecture) -> float:
    """Great-circle distance between the offices of two prefectures, in kilometres."""
    (lat1, lon1), (lat2, lon2) = OFFICES[a], OFFICES[b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(h))
