-- The carrier's standard days from the delivery instruction to the shipment, for a contract's
-- planned shipment day (kessai_core::contract::plan); existing sites get the default.
ALTER TABLE sites ADD COLUMN shipping_lead_days BIGINT NOT NULL DEFAULT 2
