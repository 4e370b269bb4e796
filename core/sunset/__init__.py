"""When each provider stops training and serving: dated facts, remembered refusals, the radar."""
