"""The mechanisms of the daily loop, one concept per module (MODEL.md section 3)."""
