"""Geography: land borders between countries, bloc membership by date, reach and encirclement."""
