"""Everyone's notifications: the in-app list (/thong-bao), its unread count in the header, and
the mails tried right after a commit that wrote notifications."""
