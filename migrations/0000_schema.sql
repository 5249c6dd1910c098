CREATE SCHEMA "user_management";
--> statement-breakpoint
CREATE SCHEMA "seller_management";
--> statement-breakpoint
CREATE SCHEMA "product_catalog";
--> statement-breakpoint
CREATE SCHEMA "order_processing";
--> statement-breakpoint
CREATE SCHEMA "reviews_questions";
--> statement-breakpoint
CREATE SCHEMA "payments";
--> statement-breakpoint
CREATE SCHEMA "shipping_logistics";
--> statement-breakpoint
CREATE SCHEMA "marketing";
--> statement-breakpoint
CREATE SCHEMA "messaging";
--> statement-breakpoint
CREATE SCHEMA "recommendations";
--> statement-breakpoint
CREATE TYPE "user_management"."user_status" AS ENUM('active', 'suspended', 'closed');--> statement-breakpoint
CREATE TYPE "product_catalog"."product_condition" AS ENUM('new', 'used', 'refurbished');--> statement-breakpoint
CREATE TYPE "product_catalog"."product_status" AS ENUM('active', 'paused', 'closed', 'under_review');--> statement-breakpoint
CREATE TYPE "reviews_questions"."moderation_status" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "reviews_questions"."question_status" AS ENUM('unanswered', 'answered', 'banned');--> statement-breakpoint
CREATE TYPE "marketing"."campaign_status" AS ENUM('draft', 'scheduled', 'active', 'paused', 'finished');--> statement-breakpoint
CREATE TYPE "messaging"."conversation_kind" AS ENUM('order', 'pre_sale', 'store');--> statement-breakpoint
CREATE TYPE "messaging"."conversation_status" AS ENUM('open', 'closed', 'escalated');--> statement-breakpoint
CREATE TYPE "recommendations"."recommendation_source" AS ENUM('search_history', 'purchase_history', 'similar_products', 'trending');--> statement-breakpoint
CREATE TABLE "user_management"."addresses" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"user_id" bigint NOT NULL,
	"street_line" text NOT NULL,
	"city" text NOT NULL,
	"state" text NOT NULL,
	"postal_code" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	CONSTRAINT "addresses_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "addresses_region_user_id_id_key" UNIQUE("region","user_id","id"),
	CONSTRAINT "addresses_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "addresses_postal_code_check" CHECK (postal_code ~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$'),
	CONSTRAINT "addresses_street_line_check" CHECK (length(btrim(street_line)) > 0),
	CONSTRAINT "addresses_city_check" CHECK (length(btrim(city)) > 0),
	CONSTRAINT "addresses_state_check" CHECK (length(btrim(state)) > 0)
);
--> statement-breakpoint
CREATE TABLE "user_management"."roles" (
	"id" smallint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "roles_name_key" UNIQUE("name"),
	CONSTRAINT "roles_name_check" CHECK (name ~ '^[a-z][a-z_]*$')
);
--> statement-breakpoint
CREATE TABLE "user_management"."users" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"role_id" smallint NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"phone" text,
	"birth_date" date,
	"status" "user_management"."user_status" DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "users_region_email_key" UNIQUE("region","email"),
	CONSTRAINT "users_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "users_name_check" CHECK (length(btrim(name)) > 0),
	CONSTRAINT "users_email_check" CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
	CONSTRAINT "users_password_hash_check" CHECK (password_hash ~ '^\$(argon2id|argon2i|2a|2b|2y|scrypt)\$' AND length(password_hash) >= 50),
	CONSTRAINT "users_phone_check" CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
	CONSTRAINT "users_birth_date_check" CHECK (birth_date >= DATE '1900-01-01')
);
--> statement-breakpoint
CREATE TABLE "seller_management"."stores" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"owner_user_id" bigint NOT NULL,
	"name" text NOT NULL,
	"is_official" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stores_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "stores_region_name_key" UNIQUE("region","name"),
	CONSTRAINT "stores_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "stores_name_check" CHECK (length(btrim(name)) > 0)
);
--> statement-breakpoint
CREATE TABLE "product_catalog"."categories" (
	"id" serial PRIMARY KEY NOT NULL,
	"parent_id" integer,
	"name" text NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "categories_parent_id_name_key" UNIQUE NULLS NOT DISTINCT("parent_id","name"),
	CONSTRAINT "categories_not_own_parent_check" CHECK (parent_id <> id),
	CONSTRAINT "categories_name_check" CHECK (length(btrim(name)) > 0)
);
--> statement-breakpoint
CREATE TABLE "product_catalog"."product_discounts" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"product_id" bigint NOT NULL,
	"percentage" smallint NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"campaign_id" bigint,
	CONSTRAINT "product_discounts_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "product_discounts_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "product_discounts_percentage_check" CHECK (percentage BETWEEN 1 AND 100),
	CONSTRAINT "product_discounts_period_check" CHECK (starts_at < ends_at)
);
--> statement-breakpoint
CREATE TABLE "product_catalog"."product_images" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"product_id" bigint NOT NULL,
	"url" text NOT NULL,
	"position" smallint NOT NULL,
	CONSTRAINT "product_images_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "product_images_region_product_id_position_key" UNIQUE("region","product_id","position"),
	CONSTRAINT "product_images_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "product_images_url_check" CHECK (url ~ '^https://'),
	CONSTRAINT "product_images_position_check" CHECK (position >= 1)
);
--> statement-breakpoint
CREATE TABLE "product_catalog"."products" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"store_id" bigint NOT NULL,
	"category_id" integer NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"price" numeric(14, 2) NOT NULL,
	"currency" char(3) NOT NULL,
	"stock" integer NOT NULL,
	"low_stock_threshold" integer DEFAULT 5 NOT NULL,
	"condition" "product_catalog"."product_condition" DEFAULT 'new' NOT NULL,
	"status" "product_catalog"."product_status" DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "products_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "products_title_check" CHECK (length(btrim(title)) BETWEEN 1 AND 200),
	CONSTRAINT "products_description_check" CHECK (length(description) <= 10000),
	CONSTRAINT "products_price_check" CHECK (price > 0 AND price <> 'NaN'),
	CONSTRAINT "products_currency_check" CHECK (currency = CASE region WHEN 'MLB' THEN 'BRL' WHEN 'MLA' THEN 'ARS' WHEN 'MLM' THEN 'MXN' WHEN 'MCO' THEN 'COP' WHEN 'MLC' THEN 'CLP' WHEN 'MLU' THEN 'UYU' WHEN 'MPE' THEN 'PEN' WHEN 'MEC' THEN 'USD' WHEN 'MBO' THEN 'BOB' WHEN 'MPY' THEN 'PYG' WHEN 'MCR' THEN 'CRC' WHEN 'MPA' THEN 'PAB' WHEN 'MRD' THEN 'DOP' WHEN 'MGT' THEN 'GTQ' WHEN 'MHN' THEN 'HNL' WHEN 'MNI' THEN 'NIO' WHEN 'MSV' THEN 'USD' WHEN 'MLV' THEN 'VES' WHEN 'MCU' THEN 'CUP' ELSE '' END),
	CONSTRAINT "products_stock_check" CHECK (stock >= 0),
	CONSTRAINT "products_low_stock_threshold_check" CHECK (low_stock_threshold >= 0)
);
--> statement-breakpoint
CREATE TABLE "order_processing"."coupons" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"code" text NOT NULL,
	"percentage" smallint,
	"fixed_amount" numeric(14, 2),
	"currency" char(3) NOT NULL,
	"max_uses" integer NOT NULL,
	"use_count" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coupons_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "coupons_region_code_key" UNIQUE("region","code"),
	CONSTRAINT "coupons_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "coupons_code_check" CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
	CONSTRAINT "coupons_one_kind_check" CHECK (num_nonnulls(percentage, fixed_amount) = 1),
	CONSTRAINT "coupons_percentage_check" CHECK (percentage BETWEEN 1 AND 100),
	CONSTRAINT "coupons_fixed_amount_check" CHECK (fixed_amount > 0 AND fixed_amount <> 'NaN'),
	CONSTRAINT "coupons_currency_check" CHECK (currency = CASE region WHEN 'MLB' THEN 'BRL' WHEN 'MLA' THEN 'ARS' WHEN 'MLM' THEN 'MXN' WHEN 'MCO' THEN 'COP' WHEN 'MLC' THEN 'CLP' WHEN 'MLU' THEN 'UYU' WHEN 'MPE' THEN 'PEN' WHEN 'MEC' THEN 'USD' WHEN 'MBO' THEN 'BOB' WHEN 'MPY' THEN 'PYG' WHEN 'MCR' THEN 'CRC' WHEN 'MPA' THEN 'PAB' WHEN 'MRD' THEN 'DOP' WHEN 'MGT' THEN 'GTQ' WHEN 'MHN' THEN 'HNL' WHEN 'MNI' THEN 'NIO' WHEN 'MSV' THEN 'USD' WHEN 'MLV' THEN 'VES' WHEN 'MCU' THEN 'CUP' ELSE '' END),
	CONSTRAINT "coupons_max_uses_check" CHECK (max_uses > 0),
	CONSTRAINT "coupons_use_count_check" CHECK (use_count BETWEEN 0 AND max_uses)
);
--> statement-breakpoint
CREATE TABLE "order_processing"."order_details" (
	"region" text NOT NULL,
	"order_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price" numeric(14, 2) NOT NULL,
	CONSTRAINT "order_details_pkey" PRIMARY KEY("region","order_id","product_id"),
	CONSTRAINT "order_details_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "order_details_quantity_check" CHECK (quantity > 0),
	CONSTRAINT "order_details_unit_price_check" CHECK (unit_price >= 0 AND unit_price <> 'NaN')
);
--> statement-breakpoint
CREATE TABLE "order_processing"."order_statuses" (
	"id" smallint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "order_statuses_name_key" UNIQUE("name"),
	CONSTRAINT "order_statuses_name_check" CHECK (name ~ '^[a-z][a-z_]*$')
);
--> statement-breakpoint
CREATE TABLE "order_processing"."orders" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"buyer_id" bigint NOT NULL,
	"status_id" smallint NOT NULL,
	"coupon_id" bigint,
	"shipping_address_id" bigint NOT NULL,
	"discount_total" numeric(14, 2) DEFAULT '0' NOT NULL,
	"total" numeric(14, 2) NOT NULL,
	"currency" char(3) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "orders_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "orders_total_check" CHECK (total >= 0 AND total <> 'NaN'),
	CONSTRAINT "orders_discount_total_check" CHECK (discount_total >= 0 AND discount_total <> 'NaN'),
	CONSTRAINT "orders_discount_needs_coupon_check" CHECK (coupon_id IS NOT NULL OR discount_total = 0),
	CONSTRAINT "orders_currency_check" CHECK (currency = CASE region WHEN 'MLB' THEN 'BRL' WHEN 'MLA' THEN 'ARS' WHEN 'MLM' THEN 'MXN' WHEN 'MCO' THEN 'COP' WHEN 'MLC' THEN 'CLP' WHEN 'MLU' THEN 'UYU' WHEN 'MPE' THEN 'PEN' WHEN 'MEC' THEN 'USD' WHEN 'MBO' THEN 'BOB' WHEN 'MPY' THEN 'PYG' WHEN 'MCR' THEN 'CRC' WHEN 'MPA' THEN 'PAB' WHEN 'MRD' THEN 'DOP' WHEN 'MGT' THEN 'GTQ' WHEN 'MHN' THEN 'HNL' WHEN 'MNI' THEN 'NIO' WHEN 'MSV' THEN 'USD' WHEN 'MLV' THEN 'VES' WHEN 'MCU' THEN 'CUP' ELSE '' END)
);
--> statement-breakpoint
CREATE TABLE "reviews_questions"."questions" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"product_id" bigint NOT NULL,
	"asker_id" bigint NOT NULL,
	"body" text NOT NULL,
	"status" "reviews_questions"."question_status" DEFAULT 'unanswered' NOT NULL,
	"answer" text,
	"answered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "questions_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "questions_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "questions_body_check" CHECK (length(btrim(body)) BETWEEN 1 AND 2000),
	CONSTRAINT "questions_answered_check" CHECK ((status = 'answered') = (answer IS NOT NULL) AND (answer IS NULL) = (answered_at IS NULL)),
	CONSTRAINT "questions_answer_check" CHECK (length(btrim(answer)) BETWEEN 1 AND 2000),
	CONSTRAINT "questions_answered_at_check" CHECK (answered_at >= created_at)
);
--> statement-breakpoint
CREATE TABLE "reviews_questions"."reviews" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"buyer_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"order_id" bigint,
	"rating" smallint NOT NULL,
	"comment" text,
	"moderation_status" "reviews_questions"."moderation_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviews_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "reviews_region_buyer_id_product_id_key" UNIQUE("region","buyer_id","product_id"),
	CONSTRAINT "reviews_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "reviews_rating_check" CHECK (rating BETWEEN 1 AND 5),
	CONSTRAINT "reviews_comment_check" CHECK (length(btrim(comment)) BETWEEN 1 AND 4000)
);
--> statement-breakpoint
CREATE TABLE "payments"."payment_methods" (
	"id" smallint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "payment_methods_name_key" UNIQUE("name"),
	CONSTRAINT "payment_methods_name_check" CHECK (name ~ '^[a-z][a-z_]*$')
);
--> statement-breakpoint
CREATE TABLE "payments"."payment_statuses" (
	"id" smallint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "payment_statuses_name_key" UNIQUE("name"),
	CONSTRAINT "payment_statuses_name_check" CHECK (name ~ '^[a-z][a-z_]*$')
);
--> statement-breakpoint
CREATE TABLE "payments"."payments" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"order_id" bigint NOT NULL,
	"method_id" smallint NOT NULL,
	"status_id" smallint NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"currency" char(3) NOT NULL,
	"transaction_ref" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "payments_region_transaction_ref_key" UNIQUE("region","transaction_ref"),
	CONSTRAINT "payments_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "payments_amount_check" CHECK (amount > 0 AND amount <> 'NaN'),
	CONSTRAINT "payments_currency_check" CHECK (currency = CASE region WHEN 'MLB' THEN 'BRL' WHEN 'MLA' THEN 'ARS' WHEN 'MLM' THEN 'MXN' WHEN 'MCO' THEN 'COP' WHEN 'MLC' THEN 'CLP' WHEN 'MLU' THEN 'UYU' WHEN 'MPE' THEN 'PEN' WHEN 'MEC' THEN 'USD' WHEN 'MBO' THEN 'BOB' WHEN 'MPY' THEN 'PYG' WHEN 'MCR' THEN 'CRC' WHEN 'MPA' THEN 'PAB' WHEN 'MRD' THEN 'DOP' WHEN 'MGT' THEN 'GTQ' WHEN 'MHN' THEN 'HNL' WHEN 'MNI' THEN 'NIO' WHEN 'MSV' THEN 'USD' WHEN 'MLV' THEN 'VES' WHEN 'MCU' THEN 'CUP' ELSE '' END),
	CONSTRAINT "payments_transaction_ref_check" CHECK (length(btrim(transaction_ref)) > 0)
);
--> statement-breakpoint
CREATE TABLE "shipping_logistics"."shipment_statuses" (
	"id" smallint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	CONSTRAINT "shipment_statuses_name_key" UNIQUE("name"),
	CONSTRAINT "shipment_statuses_name_check" CHECK (name ~ '^[a-z][a-z_]*$')
);
--> statement-breakpoint
CREATE TABLE "shipping_logistics"."shipments" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"order_id" bigint NOT NULL,
	"status_id" smallint NOT NULL,
	"carrier" text NOT NULL,
	"tracking_number" text,
	"shipped_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shipments_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "shipments_region_order_id_key" UNIQUE("region","order_id"),
	CONSTRAINT "shipments_region_carrier_tracking_number_key" UNIQUE("region","carrier","tracking_number"),
	CONSTRAINT "shipments_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "shipments_carrier_check" CHECK (length(btrim(carrier)) > 0),
	CONSTRAINT "shipments_tracking_number_check" CHECK (length(btrim(tracking_number)) > 0),
	CONSTRAINT "shipments_delivered_after_shipped_check" CHECK (delivered_at IS NULL OR (shipped_at IS NOT NULL AND delivered_at >= shipped_at)),
	CONSTRAINT "shipments_shipped_has_tracking_check" CHECK (shipped_at IS NULL OR tracking_number IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "marketing"."ads" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"campaign_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"image_url" text NOT NULL,
	"bid" numeric(14, 2) NOT NULL,
	"currency" char(3) NOT NULL,
	"clicks" bigint DEFAULT 0 NOT NULL,
	"impressions" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ads_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "ads_region_campaign_id_product_id_key" UNIQUE("region","campaign_id","product_id"),
	CONSTRAINT "ads_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "ads_image_url_check" CHECK (image_url ~ '^https://'),
	CONSTRAINT "ads_bid_check" CHECK (bid > 0 AND bid <> 'NaN'),
	CONSTRAINT "ads_currency_check" CHECK (currency = CASE region WHEN 'MLB' THEN 'BRL' WHEN 'MLA' THEN 'ARS' WHEN 'MLM' THEN 'MXN' WHEN 'MCO' THEN 'COP' WHEN 'MLC' THEN 'CLP' WHEN 'MLU' THEN 'UYU' WHEN 'MPE' THEN 'PEN' WHEN 'MEC' THEN 'USD' WHEN 'MBO' THEN 'BOB' WHEN 'MPY' THEN 'PYG' WHEN 'MCR' THEN 'CRC' WHEN 'MPA' THEN 'PAB' WHEN 'MRD' THEN 'DOP' WHEN 'MGT' THEN 'GTQ' WHEN 'MHN' THEN 'HNL' WHEN 'MNI' THEN 'NIO' WHEN 'MSV' THEN 'USD' WHEN 'MLV' THEN 'VES' WHEN 'MCU' THEN 'CUP' ELSE '' END),
	CONSTRAINT "ads_counters_check" CHECK (clicks >= 0 AND impressions >= 0 AND clicks <= impressions)
);
--> statement-breakpoint
CREATE TABLE "marketing"."campaigns" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"store_id" bigint NOT NULL,
	"name" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"status" "marketing"."campaign_status" DEFAULT 'draft' NOT NULL,
	"target_keywords" text,
	"budget" numeric(14, 2) NOT NULL,
	"currency" char(3) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaigns_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "campaigns_region_store_id_name_key" UNIQUE("region","store_id","name"),
	CONSTRAINT "campaigns_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "campaigns_period_check" CHECK (starts_at < ends_at),
	CONSTRAINT "campaigns_name_check" CHECK (length(btrim(name)) > 0),
	CONSTRAINT "campaigns_budget_check" CHECK (budget >= 0 AND budget <> 'NaN'),
	CONSTRAINT "campaigns_currency_check" CHECK (currency = CASE region WHEN 'MLB' THEN 'BRL' WHEN 'MLA' THEN 'ARS' WHEN 'MLM' THEN 'MXN' WHEN 'MCO' THEN 'COP' WHEN 'MLC' THEN 'CLP' WHEN 'MLU' THEN 'UYU' WHEN 'MPE' THEN 'PEN' WHEN 'MEC' THEN 'USD' WHEN 'MBO' THEN 'BOB' WHEN 'MPY' THEN 'PYG' WHEN 'MCR' THEN 'CRC' WHEN 'MPA' THEN 'PAB' WHEN 'MRD' THEN 'DOP' WHEN 'MGT' THEN 'GTQ' WHEN 'MHN' THEN 'HNL' WHEN 'MNI' THEN 'NIO' WHEN 'MSV' THEN 'USD' WHEN 'MLV' THEN 'VES' WHEN 'MCU' THEN 'CUP' ELSE '' END)
);
--> statement-breakpoint
CREATE TABLE "messaging"."conversations" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"buyer_id" bigint NOT NULL,
	"store_id" bigint NOT NULL,
	"order_id" bigint,
	"kind" "messaging"."conversation_kind" NOT NULL,
	"status" "messaging"."conversation_status" DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversations_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "conversations_region_order_id_key" UNIQUE("region","order_id"),
	CONSTRAINT "conversations_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "conversations_order_kind_check" CHECK ((kind = 'order') = (order_id IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "messaging"."messages" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"conversation_id" bigint NOT NULL,
	"sender_id" bigint NOT NULL,
	"body" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone,
	"moderation_status" "reviews_questions"."moderation_status" DEFAULT 'pending' NOT NULL,
	CONSTRAINT "messages_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "messages_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "messages_body_check" CHECK (length(btrim(body)) BETWEEN 1 AND 4000),
	CONSTRAINT "messages_read_after_sent_check" CHECK (read_at >= sent_at)
);
--> statement-breakpoint
CREATE TABLE "recommendations"."recommendation_logs" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"user_id" bigint NOT NULL,
	"product_id" bigint NOT NULL,
	"source" "recommendations"."recommendation_source" NOT NULL,
	"score" real NOT NULL,
	"position" smallint NOT NULL,
	"shown_at" timestamp with time zone DEFAULT now() NOT NULL,
	"clicked" boolean DEFAULT false NOT NULL,
	"converted_order_id" bigint,
	CONSTRAINT "recommendation_logs_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "recommendation_logs_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "recommendation_logs_score_check" CHECK (score BETWEEN 0 AND 1),
	CONSTRAINT "recommendation_logs_position_check" CHECK (position >= 1),
	CONSTRAINT "recommendation_logs_converted_after_click_check" CHECK (converted_order_id IS NULL OR clicked)
);
--> statement-breakpoint
CREATE TABLE "recommendations"."user_search_history" (
	"region" text NOT NULL,
	"id" bigserial NOT NULL,
	"user_id" bigint NOT NULL,
	"query_text" text NOT NULL,
	"searched_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_search_history_pkey" PRIMARY KEY("region","id"),
	CONSTRAINT "user_search_history_region_check" CHECK (region IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE', 'MEC', 'MBO', 'MPY', 'MCR', 'MPA', 'MRD', 'MGT', 'MHN', 'MNI', 'MSV', 'MLV', 'MCU')),
	CONSTRAINT "user_search_history_query_text_check" CHECK (length(btrim(query_text)) BETWEEN 1 AND 200)
);
--> statement-breakpoint
ALTER TABLE "user_management"."addresses" ADD CONSTRAINT "addresses_region_user_id_fkey" FOREIGN KEY ("region","user_id") REFERENCES "user_management"."users"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_management"."users" ADD CONSTRAINT "users_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "user_management"."roles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seller_management"."stores" ADD CONSTRAINT "stores_region_owner_user_id_fkey" FOREIGN KEY ("region","owner_user_id") REFERENCES "user_management"."users"("region","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_catalog"."categories" ADD CONSTRAINT "categories_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "product_catalog"."categories"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_catalog"."product_discounts" ADD CONSTRAINT "product_discounts_region_product_id_fkey" FOREIGN KEY ("region","product_id") REFERENCES "product_catalog"."products"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_catalog"."product_discounts" ADD CONSTRAINT "product_discounts_region_campaign_id_fkey" FOREIGN KEY ("region","campaign_id") REFERENCES "marketing"."campaigns"("region","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_catalog"."product_images" ADD CONSTRAINT "product_images_region_product_id_fkey" FOREIGN KEY ("region","product_id") REFERENCES "product_catalog"."products"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_catalog"."products" ADD CONSTRAINT "products_region_store_id_fkey" FOREIGN KEY ("region","store_id") REFERENCES "seller_management"."stores"("region","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_catalog"."products" ADD CONSTRAINT "products_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "product_catalog"."categories"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_processing"."order_details" ADD CONSTRAINT "order_details_region_order_id_fkey" FOREIGN KEY ("region","order_id") REFERENCES "order_processing"."orders"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_processing"."order_details" ADD CONSTRAINT "order_details_region_product_id_fkey" FOREIGN KEY ("region","product_id") REFERENCES "product_catalog"."products"("region","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_processing"."orders" ADD CONSTRAINT "orders_region_buyer_id_fkey" FOREIGN KEY ("region","buyer_id") REFERENCES "user_management"."users"("region","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_processing"."orders" ADD CONSTRAINT "orders_status_id_fkey" FOREIGN KEY ("status_id") REFERENCES "order_processing"."order_statuses"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_processing"."orders" ADD CONSTRAINT "orders_region_coupon_id_fkey" FOREIGN KEY ("region","coupon_id") REFERENCES "order_processing"."coupons"("region","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_processing"."orders" ADD CONSTRAINT "orders_region_buyer_id_shipping_address_id_fkey" FOREIGN KEY ("region","buyer_id","shipping_address_id") REFERENCES "user_management"."addresses"("region","user_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews_questions"."questions" ADD CONSTRAINT "questions_region_product_id_fkey" FOREIGN KEY ("region","product_id") REFERENCES "product_catalog"."products"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews_questions"."questions" ADD CONSTRAINT "questions_region_asker_id_fkey" FOREIGN KEY ("region","asker_id") REFERENCES "user_management"."users"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews_questions"."reviews" ADD CONSTRAINT "reviews_region_buyer_id_fkey" FOREIGN KEY ("region","buyer_id") REFERENCES "user_management"."users"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews_questions"."reviews" ADD CONSTRAINT "reviews_region_product_id_fkey" FOREIGN KEY ("region","product_id") REFERENCES "product_catalog"."products"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews_questions"."reviews" ADD CONSTRAINT "reviews_region_order_id_product_id_fkey" FOREIGN KEY ("region","order_id","product_id") REFERENCES "order_processing"."order_details"("region","order_id","product_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD CONSTRAINT "payments_region_order_id_fkey" FOREIGN KEY ("region","order_id") REFERENCES "order_processing"."orders"("region","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD CONSTRAINT "payments_method_id_fkey" FOREIGN KEY ("method_id") REFERENCES "payments"."payment_methods"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD CONSTRAINT "payments_status_id_fkey" FOREIGN KEY ("status_id") REFERENCES "payments"."payment_statuses"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipping_logistics"."shipments" ADD CONSTRAINT "shipments_region_order_id_fkey" FOREIGN KEY ("region","order_id") REFERENCES "order_processing"."orders"("region","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipping_logistics"."shipments" ADD CONSTRAINT "shipments_status_id_fkey" FOREIGN KEY ("status_id") REFERENCES "shipping_logistics"."shipment_statuses"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."ads" ADD CONSTRAINT "ads_region_campaign_id_fkey" FOREIGN KEY ("region","campaign_id") REFERENCES "marketing"."campaigns"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."ads" ADD CONSTRAINT "ads_region_product_id_fkey" FOREIGN KEY ("region","product_id") REFERENCES "product_catalog"."products"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."campaigns" ADD CONSTRAINT "campaigns_region_store_id_fkey" FOREIGN KEY ("region","store_id") REFERENCES "seller_management"."stores"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messaging"."conversations" ADD CONSTRAINT "conversations_region_buyer_id_fkey" FOREIGN KEY ("region","buyer_id") REFERENCES "user_management"."users"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messaging"."conversations" ADD CONSTRAINT "conversations_region_store_id_fkey" FOREIGN KEY ("region","store_id") REFERENCES "seller_management"."stores"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messaging"."conversations" ADD CONSTRAINT "conversations_region_order_id_fkey" FOREIGN KEY ("region","order_id") REFERENCES "order_processing"."orders"("region","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messaging"."messages" ADD CONSTRAINT "messages_region_conversation_id_fkey" FOREIGN KEY ("region","conversation_id") REFERENCES "messaging"."conversations"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messaging"."messages" ADD CONSTRAINT "messages_region_sender_id_fkey" FOREIGN KEY ("region","sender_id") REFERENCES "user_management"."users"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations"."recommendation_logs" ADD CONSTRAINT "recommendation_logs_region_user_id_fkey" FOREIGN KEY ("region","user_id") REFERENCES "user_management"."users"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations"."recommendation_logs" ADD CONSTRAINT "recommendation_logs_region_product_id_fkey" FOREIGN KEY ("region","product_id") REFERENCES "product_catalog"."products"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations"."recommendation_logs" ADD CONSTRAINT "recommendation_logs_region_converted_order_id_fkey" FOREIGN KEY ("region","converted_order_id") REFERENCES "order_processing"."orders"("region","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations"."user_search_history" ADD CONSTRAINT "user_search_history_region_user_id_fkey" FOREIGN KEY ("region","user_id") REFERENCES "user_management"."users"("region","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "addresses_one_default_per_user" ON "user_management"."addresses" USING btree ("region","user_id") WHERE is_default;--> statement-breakpoint
CREATE INDEX "users_role_id_idx" ON "user_management"."users" USING btree ("role_id");--> statement-breakpoint
CREATE INDEX "stores_region_owner_user_id_idx" ON "seller_management"."stores" USING btree ("region","owner_user_id");--> statement-breakpoint
CREATE INDEX "product_discounts_region_product_id_idx" ON "product_catalog"."product_discounts" USING btree ("region","product_id");--> statement-breakpoint
CREATE INDEX "product_discounts_region_campaign_id_idx" ON "product_catalog"."product_discounts" USING btree ("region","campaign_id");--> statement-breakpoint
CREATE INDEX "products_region_store_id_idx" ON "product_catalog"."products" USING btree ("region","store_id");--> statement-breakpoint
CREATE INDEX "products_category_id_idx" ON "product_catalog"."products" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "order_details_region_product_id_idx" ON "order_processing"."order_details" USING btree ("region","product_id");--> statement-breakpoint
CREATE INDEX "orders_region_buyer_id_created_at_idx" ON "order_processing"."orders" USING btree ("region","buyer_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_status_id_idx" ON "order_processing"."orders" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "orders_region_coupon_id_idx" ON "order_processing"."orders" USING btree ("region","coupon_id");--> statement-breakpoint
CREATE INDEX "orders_region_buyer_id_shipping_address_id_idx" ON "order_processing"."orders" USING btree ("region","buyer_id","shipping_address_id");--> statement-breakpoint
CREATE INDEX "questions_region_product_id_idx" ON "reviews_questions"."questions" USING btree ("region","product_id");--> statement-breakpoint
CREATE INDEX "questions_region_asker_id_idx" ON "reviews_questions"."questions" USING btree ("region","asker_id");--> statement-breakpoint
CREATE INDEX "reviews_region_product_id_idx" ON "reviews_questions"."reviews" USING btree ("region","product_id");--> statement-breakpoint
CREATE INDEX "reviews_region_order_id_product_id_idx" ON "reviews_questions"."reviews" USING btree ("region","order_id","product_id");--> statement-breakpoint
CREATE INDEX "payments_region_order_id_idx" ON "payments"."payments" USING btree ("region","order_id");--> statement-breakpoint
CREATE INDEX "payments_method_id_idx" ON "payments"."payments" USING btree ("method_id");--> statement-breakpoint
CREATE INDEX "payments_status_id_idx" ON "payments"."payments" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "shipments_status_id_idx" ON "shipping_logistics"."shipments" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "ads_region_product_id_idx" ON "marketing"."ads" USING btree ("region","product_id");--> statement-breakpoint
CREATE INDEX "conversations_region_buyer_id_idx" ON "messaging"."conversations" USING btree ("region","buyer_id");--> statement-breakpoint
CREATE INDEX "conversations_region_store_id_idx" ON "messaging"."conversations" USING btree ("region","store_id");--> statement-breakpoint
CREATE INDEX "messages_region_conversation_id_sent_at_idx" ON "messaging"."messages" USING btree ("region","conversation_id","sent_at");--> statement-breakpoint
CREATE INDEX "messages_region_sender_id_idx" ON "messaging"."messages" USING btree ("region","sender_id");--> statement-breakpoint
CREATE INDEX "recommendation_logs_region_user_id_shown_at_idx" ON "recommendations"."recommendation_logs" USING btree ("region","user_id","shown_at");--> statement-breakpoint
CREATE INDEX "recommendation_logs_region_product_id_idx" ON "recommendations"."recommendation_logs" USING btree ("region","product_id");--> statement-breakpoint
CREATE INDEX "recommendation_logs_region_converted_order_id_idx" ON "recommendations"."recommendation_logs" USING btree ("region","converted_order_id");--> statement-breakpoint
CREATE INDEX "user_search_history_region_user_id_searched_at_idx" ON "recommendations"."user_search_history" USING btree ("region","user_id","searched_at");