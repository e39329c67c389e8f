import subprocess, re, sys
B='bench/StreamSql.Bench/bin/Debug/net10.0/StreamSql.Bench.dll'
# query: (events, rate, types, filter-sql, filter-python on text row fields, description)
specs = {
 'q3':  (3000, 10000, 'TTTI', None, None, '3000 events (60 persons, 180 auctions)'),
 'q8':  (2000, 50, 'ITTT', None, None, '2000 events at 50 events/s (40 s, four tumbling windows)'),
 'q8-tables':  (2000, 50, 'ITTT', None, None, '2000 events at 50 events/s (40 s, four tumbling windows)'),
 'q4':  (3000, 10000, 'IT', None, None, '3000 events (180 auctions, 2760 bids)'),
 'q18': (1000, 10000, 'IIITTTT', 'auction < 1003', lambda f: int(f[0]) < 1003, '1000 events; the last bids on auctions 1000..1002'),
 'q19': (1000, 10000, 'IIITTTTI', 'auction < 1003', lambda f: int(f[0]) < 1003, '1000 events; the top 10 bids of auctions 1000..1002'),
 'q5':  (1000, 50, 'TI', None, None, '1000 events at 50 events/s (20 s of event time, 14 hopping windows)'),
 'q7':  (1000, 20, 'TTI', None, None, '1000 events at 20 events/s (50 s, five tumbling windows)'),
 'q11': (300, 1, 'ITTI', 'bidder < 1004', lambda f: int(f[0]) < 1004, '300 events at 1 event/s (5 minutes); the sessions of bidders 1000..1003'),
 'q12': (300, 10, 'ITTI', None, None, '300 events at 10 events/s (30 s, three windows)'),
 'q15': (1000, 0.01, 'TIIIIIIIIIIII', None, None, '1000 events at 0.01 events/s (28 hours: two days)'),
 'q16': (1000, 0.01, 'TTTIIIIIIIIIIII', "channel IN ('Apple', 'Google', 'Facebook', 'Baidu')", lambda f: f[0] in ('Apple','Google','Facebook','Baidu'), "1000 events at 0.01 events/s (two days); the four named channels' rows"),
 'q17': (1000, 0.01, 'ITIIIIIITT', 'auction < 1005', lambda f: int(f[0]) < 1005, '1000 events at 0.01 events/s (two days); auctions 1000..1004'),
}
ddl = {
 'person': "(id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)",
 'auction': "(id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)",
 'bid': "(auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)",
}
only = set(sys.argv[1:])
for q,(events, rate, types, fsql, fpy, desc) in specs.items():
    if only and q not in only:
        continue
    sql = open(f'bench/nexmark/{q}.sql').read()
    body = '\n'.join(l for l in sql.splitlines() if not l.startswith('--'))
    header = [l[3:] for l in sql.splitlines() if l.startswith('--')]
    stmts = [s.strip() for s in body.split(';') if s.strip()]
    outputs = [re.match(r'CREATE (TABLE|STREAM) (\w+)', s).group(1, 2) for s in stmts if s != 'FLUSH']
    tables = [t for _, t in outputs]
    # The source streams the query reads (after FROM or JOIN, or as a window function's first argument).
    sources = [n for n in ddl if re.search(r'\b(FROM|JOIN)\s+((TUMBLE|HOP)\s*\(\s*)?' + n + r'\b', body, re.I)]
    pre = f"slt_nx_{q.replace('-', '_')}_"
    def ren(s):
        for n in sources:
            s = re.sub(r'\b(FROM|JOIN)(\s+(?:(?:TUMBLE|HOP)\s*\(\s*)?)' + n + r'\b', lambda m: m.group(1) + m.group(2) + pre + n, s, flags=re.I)
        for t in tables:
            s = re.sub(r'\b' + t + r'\b', pre + t, s)
        return re.sub(r'\s*\n\s*', ' ', s)
    rows = subprocess.run(['dotnet', B, 'expected', q.split('-')[0], str(events), str(rate)], capture_output=True, text=True, check=True).stdout.splitlines()
    if fpy:
        rows = [r for r in rows if fpy(r.split(' '))]
    out = []
    out.append(f'# Nexmark {q} (bench/nexmark/{q}.sql):')
    out += ['# ' + h for h in header]
    out.append(f'# {desc}. Expected rows: the benchmark\'s hand-written baseline (dictionaries over the generator, bench/StreamSql.Bench/Baselines.cs),')
    out.append(f'# printed with `StreamSql.Bench expected {q.split("-")[0]} {events} {rate}`, not copied from the engine.')
    out.append('')
    out.append('statement ok')
    for i, n in enumerate(sources):
        if i > 0:
            out += ['', 'statement ok']
        out.append(f"CREATE STREAM {pre}{n} {ddl[n]} WITH (connector='nexmark', nexmark_table='{n}', events={events}, event_rate={rate}, timestamp='date_time', partitions=1)")
    for s in stmts:
        out += ['', 'statement ok', ren(s)]
    out += ['', 'statement ok', 'FLUSH', '']
    final = pre + tables[-1]
    out.append(f'query {types} rowsort')
    out.append(f'SELECT * FROM {final}' + (f' WHERE {fsql}' if fsql else ''))
    out.append('----')
    out += rows
    for kind, t in reversed(outputs):
        out += ['', 'statement ok', f'DROP {kind} {pre}{t}']
    for n in sources:
        out += ['', 'statement ok', f'DROP STREAM {pre}{n} DELETE TOPIC']
    out.append('')
    open(f'sqllogictests/nexmark/{q}.slt', 'w').write('\n'.join(out))
    print(q, len(rows))
