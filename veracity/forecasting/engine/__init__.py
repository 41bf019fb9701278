"""The numerical core of forecasting: pure functions over numpy arrays, no Django.

`selection` chooses a model per series by rolling-origin backtest, `clv` fits BG/NBD and Gamma–Gamma,
`anomaly` scores recent values against their own history. Services load data, call these, store."""
