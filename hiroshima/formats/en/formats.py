# English pages keep the ISO dates they have always shown (Django's "en" default
# would print "11/30/2026 1:30 p.m.").
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i:s"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
