"""Plan changes through a billing provider: ``manual`` (an admin sets plans) or Stripe."""
