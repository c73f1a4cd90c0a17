# Japanese dates as Japanese documents write them: 2026年11月30日, 2026/11/30 10:05.
DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y/m/d"
DATETIME_FORMAT = "Y/m/d H:i:s"
SHORT_DATETIME_FORMAT = "Y/m/d H:i"
