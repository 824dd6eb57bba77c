"""Commands, queries and the unit of work. Talks to ports (protocols), never to SQL or HTTP."""
