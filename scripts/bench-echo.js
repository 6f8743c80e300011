#!/usr/bin/env node
// The baseline for `npm run bench`: bare Express 5 that parses JSON and echoes it, on PORT.
const express = require('express');

const app = express();
app.use(express.json());
app.post('/{*path}', (req, res) => res.json(req.body));
app.listen(Number(process.env.PORT));
